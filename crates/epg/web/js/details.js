// A programme's details in a modal dialog: every field of the XMLTV record, as text.

import { api } from './api.js';
import { clock, day, h, replace, picture } from './dom.js';

const dialog = document.getElementById('details');
let providers = null;
let onClose = null;

dialog.addEventListener('close', () => { if (onClose) onClose(); onClose = null; });
dialog.addEventListener('click', (e) => { if (e.target === dialog) dialog.close(); });

async function providerName(id) {
  if (!providers) providers = api('GET', '/providers').catch(() => []);
  const list = await providers;
  const p = (Array.isArray(list) ? list : list.items || []).find((x) => x.id === id);
  return p ? p.name : `provider ${id}`;
}

const lang = (t) => (t.lang ? h('span', { class: 'lang', title: 'Language' }, t.lang) : null);

function texts(label, list, tag = 'p') {
  if (!list || list.length === 0) return null;
  return h('section', {}, h('h3', {}, label), list.map((t) => h(tag, {}, lang(t), t.value)));
}

/** `S2 E5`, `Part 1`, as people read them (the API's numbers are 1-based). */
export function episode(p) {
  const parts = [];
  if (p.season) parts.push(`S${p.season}`);
  if (p.episode) parts.push(`E${p.episode}`);
  if (p.part) parts.push(`Part ${p.part}`);
  return parts.join(' ');
}

function credits(list) {
  if (!list || list.length === 0) return null;
  const byRole = new Map();
  for (const c of list) {
    const role = String(c.role || 'credit').replace(/_/g, ' ');
    if (!byRole.has(role)) byRole.set(role, []);
    byRole.get(role).push(c.character ? `${c.name} (${c.character})` : c.name);
  }
  return h('section', {}, h('h3', {}, 'Credits'),
    h('dl', { class: 'facts' }, [...byRole].map(([role, names]) => [h('dt', {}, role), h('dd', {}, names.join(', '))])));
}

function facts(p, rec, provider) {
  const rows = [
    ['Episode', episode(p)],
    ['Categories', (p.categories || []).join(', ')],
    ['Rating', (rec.ratings || []).map((r) => (r.system ? `${r.value} (${r.system})` : r.value)).join(', ')],
    ['Star rating', (rec.star_ratings || []).map((r) => r.value).join(', ')],
    ['Date', rec.date],
    ['Country', (rec.countries || []).map((c) => c.value).join(', ')],
    ['Language', rec.language?.value],
    ['Length', rec.length ? `${rec.length.value} ${rec.length.units}` : ''],
    ['Episode numbers', (rec.episode_nums || []).map((e) => `${e.value} (${e.system})`).join(', ')],
    ['Previously shown', rec.previously_shown ? (rec.previously_shown.start || 'yes') : ''],
    ['Provider', provider],
  ].filter(([, v]) => v);
  return h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** Opens the dialog for programme `p` of channel `ch`; `closed` runs when it closes. */
export async function openDetails(p, ch, closed) {
  const rec = p.programme || {};
  const start = new Date(p.startMs);
  const stop = new Date(p.stopMs);
  const badges = [rec.new && 'New', rec.premiere && 'Premiere', rec.live && 'Live', rec.last_chance && 'Last chance']
    .filter(Boolean).map((b) => h('span', { class: 'badge' }, b));
  const icons = [...(rec.icons || []), ...(rec.images || []).map((i) => ({ src: i.value }))]
    .filter((i) => /^https?:/.test(i.src || ''))
    .slice(0, 4)
    .map((i) => picture(i.src, 'prog-icon'));
  const titles = rec.titles && rec.titles.length > 1 ? texts('Titles', rec.titles) : null;
  // One inner box, so that only a click on the backdrop (the dialog itself) closes it.
  replace(dialog, h('div', { class: 'details-body' },
    h('div', { class: 'details-head' },
      h('h2', { id: 'details-title' }, p.title),
      h('button', { type: 'button', class: 'close', 'aria-label': 'Close', onclick: () => dialog.close() }, '×')),
    h('p', { class: 'muted' }, `${ch.name} · ${day(start)} ${clock(start)}–${clock(stop)}`, ...badges),
    p.sub_title ? h('p', { class: 'sub-title' }, p.sub_title) : null,
    icons.length ? h('div', { class: 'icons' }, icons) : null,
    titles,
    texts('Sub-titles', rec.sub_titles && rec.sub_titles.length > 1 ? rec.sub_titles : null),
    texts('Description', rec.descs),
    facts(p, rec, await providerName(p.provider_id)),
    credits(rec.credits),
    texts('Keywords', rec.keywords)));
  onClose = closed;
  if (!dialog.open) dialog.showModal();
  dialog.querySelector('.close').focus();
}
