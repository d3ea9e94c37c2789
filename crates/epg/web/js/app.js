// The app shell: hash routes (`#/guide`, `#/providers`, `#/runs/7`, `#/channels`,
// `#/media`), the admin token and the read-only mode, and the notice line.

import { canWrite, onDenied, setToken, token } from './api.js';
import { h, replace } from './dom.js';
import { guidePage } from './guide.js';
import { providersPage, runPage } from './providers.js';
import { channelsPage } from './channels.js';
import { mediaPage } from './media.js';

const main = document.getElementById('main');
const authBar = document.getElementById('auth');
const notice = document.getElementById('notice');

/** Shared state: whether writes are possible, and a teardown for the current page. */
export const app = { writable: false, leave: null };

/** Shows `text` on the notice line; `kind` is `error`, `ok` or `info`. */
export function say(text, kind = 'info') {
  replace(notice, text ? h('p', { class: `notice-${kind}` }, text) : null);
}

/** Shows a failed call; a refused one (401/403) is already explained on the notice line. */
export function failed(err, prefix = '') {
  if (err.status === 401 || err.status === 403) return;
  say(`${prefix}${err.message}`, 'error');
}

const pages = {
  guide: guidePage,
  providers: providersPage,
  runs: runPage,
  channels: channelsPage,
  media: mediaPage,
};

async function route() {
  const [, name = 'guide', arg] = location.hash.split('/');
  const page = pages[name] || guidePage;
  if (app.leave) app.leave();
  app.leave = null;
  for (const a of document.querySelectorAll('.nav a')) {
    if (a.dataset.page === (name === 'runs' ? 'providers' : name)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  say('');
  main.replaceChildren();
  try {
    app.leave = await page(main, arg);
  } catch (e) {
    say(`This page could not load: ${e.message}`, 'error');
  }
}

async function refreshAuth() {
  app.writable = await canWrite();
  document.body.classList.toggle('readonly', !app.writable);
  renderAuth();
}

function renderAuth() {
  if (app.writable) {
    replace(authBar,
      h('span', { class: 'mode mode-write' }, token() ? 'Admin' : 'Admin (this machine)'),
      token() ? h('button', { type: 'button', class: 'link', onclick: () => signIn('') }, 'Forget token') : null);
    return;
  }
  const input = h('input', {
    type: 'password', name: 'token', autocomplete: 'off', placeholder: 'Admin token',
    'aria-label': 'Admin token',
  });
  const form = h('form', { class: 'token-form', onsubmit: (e) => { e.preventDefault(); signIn(input.value.trim()); } },
    h('span', { class: 'mode mode-read' }, 'Read-only'), input, h('button', { type: 'submit' }, 'Sign in'));
  replace(authBar, form);
}

async function signIn(value) {
  setToken(value);
  await refreshAuth();
  if (value && !app.writable) {
    setToken('');
    say('That admin token was not accepted (401): the app stays read-only.', 'error');
    return;
  }
  say(value ? 'Signed in: changes are allowed.' : 'Token forgotten.', 'ok');
  route();
}

onDenied((err) => {
  app.writable = false;
  document.body.classList.add('readonly');
  renderAuth();
  say(err.status === 401
    ? 'Not allowed (401): this change needs the admin token. Enter it above.'
    : 'Not allowed (403): without an admin token, changes are accepted only on the machine that runs the service.',
  'error');
});

window.addEventListener('hashchange', route);
refreshAuth().then(route);
