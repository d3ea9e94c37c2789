// Providers: the list with each one's last run, the add/edit form (problems shown at
// their field), delete, enable/disable, "import now" with live progress, and a run's
// page with its rejects by reason.

import { api, ApiError } from './api.js';
import { bytes, field, h, replace, when } from './dom.js';
import { failed, say } from './app.js';

const POLL_MS = 1500;
const FIELDS = ['name', 'xmltv_url', 'priority', 'timezone', 'offset_correction_minutes', 'enabled'];

export async function providersPage(main) {
  const list = h('div', { class: 'cards' });
  const formSlot = h('div');
  const addButton = h('button', { type: 'button', class: 'write primary', onclick: () => openForm(formSlot, null, refresh) }, 'Add provider');
  replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Providers'), addButton), formSlot, list);
  const timers = new Set();
  async function refresh() {
    const [providers, status] = await Promise.all([api('GET', '/providers'), api('GET', '/import/status')]);
    const runs = [...status.running, ...status.queued, ...status.recent];
    if (providers.length === 0) {
      replace(list, h('p', { class: 'empty' }, 'No providers yet. Add one with its XMLTV URL.'));
      return;
    }
    replace(list, providers.map((p) => card(p, runs.find((r) => r.provider_id === p.id), refresh, formSlot, timers)));
  }
  await refresh();
  return () => { for (const t of timers) clearTimeout(t); };
}

function runLine(run) {
  if (!run) return h('p', { class: 'run muted' }, 'Never imported');
  const counts = run.status === 'succeeded' || run.status === 'unchanged'
    ? ` · ${run.added} added, ${run.updated} updated, ${run.removed} removed, ${run.rejected} rejected`
    : '';
  return h('p', { class: 'run' },
    h('span', { class: `status status-${run.status}` }, run.status), ' ',
    h('a', { href: `#/runs/${run.id}` }, `run ${run.id}`),
    ` · ${when(run.finished_at || run.started_at || run.queued_at)}${counts}`,
    run.error ? h('span', { class: 'field-error' }, ` ${run.error}`) : null);
}

function progressLine(run) {
  // A run paused at a call's time budget waits for the next call (or the cron tick).
  const state = run.paused_at ? 'paused, continues with the next job run' : run.status;
  // Once the feed is read, the steps of the apply count what they write.
  const written = run.added + run.updated + run.removed;
  const applying = written > 0 ? `, applying (${written} changes written so far)` : '';
  return h('p', { class: 'progress', role: 'status' },
    `Import ${state}: ${bytes(run.bytes_read)} read, ${run.channels_seen} channels, ${run.programmes_seen} programmes${applying}`);
}

function card(p, run, refresh, formSlot, timers) {
  const progress = h('div', { class: 'progress-slot' });
  const runSlot = h('div', {}, runLine(run));
  const importNow = async () => {
    try {
      const queued = await api('POST', '/import/trigger', { provider_id: p.id });
      const id = queued.runs[0].id;
      say(`Import of ${p.name} queued as run ${id}.`, 'info');
      const job = api('POST', '/jobs/run').catch((e) => e);
      replace(runSlot, runLine(await watch(id, progress, timers, job)));
    } catch (e) { if (e instanceof ApiError) failed(e, 'Import could not start: '); else throw e; }
  };
  const toggle = () => save(p.id, { ...inputOf(p), enabled: !p.enabled }).then(refresh, (e) => failed(e));
  const remove = async () => {
    if (!confirm(`Delete provider ${p.name} with its mappings and programmes?`)) return;
    try {
      const r = await api('DELETE', `/providers/${p.id}`);
      say(`Deleted ${p.name}: ${r.mappings} mappings, ${r.programmes} programmes, ${r.channels} channels.`, 'ok');
      await refresh();
    } catch (e) { failed(e); }
  };
  const el = h('article', { class: 'card', 'data-provider': p.id },
    h('h2', {}, p.name, p.enabled ? null : h('span', { class: 'badge' }, 'Disabled')),
    h('p', { class: 'url' }, p.xmltv_url),
    h('p', { class: 'muted' }, `Priority ${p.priority} · zone ${p.timezone || 'UTC'} · offset correction ${p.offset_correction_minutes} min`),
    runSlot, progress,
    h('div', { class: 'actions write' },
      h('button', { type: 'button', class: 'primary', onclick: importNow }, 'Import now'),
      h('button', { type: 'button', onclick: () => openForm(formSlot, p, refresh) }, 'Edit'),
      h('button', { type: 'button', onclick: toggle }, p.enabled ? 'Disable' : 'Enable'),
      h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete')));
  if (run && (run.status === 'queued' || run.status === 'running')) {
    watch(run.id, progress, timers, null).then((done) => replace(runSlot, runLine(done)), failed);
  }
  return el;
}

/** Polls run `id` every few seconds until it ends, showing its progress. */
async function watch(id, slot, timers, job) {
  for (;;) {
    const run = await api('GET', `/import/runs/${id}`);
    replace(slot, progressLine(run));
    if (run.status !== 'queued' && run.status !== 'running') {
      replace(slot, run.status === 'failed'
        ? h('p', { class: 'field-error' }, `Import failed: ${run.error || 'see the run'}`)
        : h('p', { class: 'progress done' }, `Import ${run.status}: ${run.added} added, ${run.updated} updated, ${run.removed} removed, ${run.rejected} rejected`));
      return run;
    }
    await new Promise((ok) => { const t = setTimeout(() => { timers.delete(t); ok(); }, POLL_MS); timers.add(t); });
    if (job) {
      const done = await Promise.race([job, Promise.resolve(null)]);
      if (done instanceof ApiError) { failed(done, 'The import job failed: '); return run; }
    }
  }
}

function inputOf(p) {
  return {
    name: p.name, xmltv_url: p.xmltv_url, enabled: p.enabled, priority: p.priority,
    timezone: p.timezone, offset_correction_minutes: p.offset_correction_minutes,
  };
}

function save(id, body) {
  return id ? api('PUT', `/providers/${id}`, body) : api('POST', '/providers', body);
}

function openForm(slot, p, refresh) {
  const v = p ? inputOf(p) : { name: '', xmltv_url: '', enabled: true, priority: 10, timezone: '', offset_correction_minutes: 0 };
  const inputs = {
    name: h('input', { type: 'text', required: true, value: v.name, autocomplete: 'off' }),
    xmltv_url: h('input', { type: 'text', required: true, value: v.xmltv_url, inputmode: 'url', placeholder: 'https://example.com/guide.xml.gz' }),
    priority: h('input', { type: 'number', value: v.priority, step: '1' }),
    timezone: h('input', { type: 'text', value: v.timezone || '', placeholder: 'Europe/Berlin' }),
    offset_correction_minutes: h('input', { type: 'number', value: v.offset_correction_minutes, step: '1', min: '-1440', max: '1440' }),
    enabled: h('input', { type: 'checkbox', checked: v.enabled }),
  };
  const formError = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'form', novalidate: true, 'aria-label': p ? `Edit ${p.name}` : 'Add provider' },
    h('h2', {}, p ? `Edit ${p.name}` : 'Add provider'),
    field('Name', 'name', inputs.name),
    field('XMLTV URL', 'xmltv_url', inputs.xmltv_url, 'http or https; .gz, .xz and .zip feeds are unpacked'),
    field('Priority', 'priority', inputs.priority, 'Lower wins where several providers feed one channel'),
    field('Time zone', 'timezone', inputs.timezone, 'IANA zone of feed times without an offset; empty means UTC'),
    field('Offset correction (minutes)', 'offset_correction_minutes', inputs.offset_correction_minutes),
    field('Enabled', 'enabled', inputs.enabled),
    formError,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, p ? 'Save' : 'Add'),
      h('button', { type: 'button', onclick: () => slot.replaceChildren() }, 'Cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form, formError);
    const body = {
      name: inputs.name.value, xmltv_url: inputs.xmltv_url.value.trim(), enabled: inputs.enabled.checked,
      priority: Number(inputs.priority.value || 10), timezone: inputs.timezone.value.trim() || null,
      offset_correction_minutes: Number(inputs.offset_correction_minutes.value || 0),
    };
    try {
      const saved = await save(p?.id, body);
      slot.replaceChildren();
      say(p ? `Saved ${saved.name}.` : `Added ${saved.name}. Use "Import now" to fetch its guide.`, 'ok');
      await refresh();
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      showError(form, formError, err);
    }
  });
  replace(slot, form);
  inputs.name.focus();
}

function clearErrors(form, formError) {
  formError.hidden = true;
  for (const el of form.querySelectorAll('.field-error')) { el.hidden = true; el.textContent = ''; }
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
}

function showError(form, formError, err) {
  const name = FIELDS.includes(err.field) ? err.field : null;
  const box = name && form.querySelector(`[data-field="${name}"]`);
  if (!box) {
    formError.textContent = err.message;
    formError.hidden = false;
    return;
  }
  const input = box.querySelector('input');
  const msg = box.querySelector('.field-error');
  msg.textContent = err.text;
  msg.hidden = false;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

/** `#/runs/ID`: one run with its rejects by reason and their examples. */
export async function runPage(main, id) {
  const run = await api('GET', `/import/runs/${Number(id)}`);
  const provider = await api('GET', `/providers/${run.provider_id}`).then((p) => p.name, () => `provider ${run.provider_id}`);
  const rejects = Object.entries(run.rejects || {});
  const facts = [
    ['Status', run.status], ['Provider', provider], ['Trigger', run.trigger],
    ['Queued', when(run.queued_at)], ['Started', when(run.started_at)], ['Finished', when(run.finished_at)],
    ['Read', bytes(run.bytes_read)], ['Channels seen', run.channels_seen], ['Programmes seen', run.programmes_seen],
    ['Added', run.added], ['Updated', run.updated], ['Removed', run.removed], ['Rejected', run.rejected],
    ['Warnings', run.warnings],
  ];
  replace(main,
    h('p', {}, h('a', { href: '#/providers' }, '← Providers')),
    h('h1', {}, `Import run ${run.id}`),
    run.error ? h('p', { class: 'field-error' }, run.error) : null,
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))])),
    h('h2', {}, 'Rejected records'),
    rejects.length === 0 ? h('p', { class: 'muted' }, 'None: every record was stored.') : null,
    rejects.map(([reason, r]) => h('section', { class: 'reject' },
      h('h3', {}, `${reason.replace(/_/g, ' ')} (${r.count})`),
      h('ul', {}, (r.examples || []).map((x) => h('li', {},
        `#${x.position}${x.channel ? ` · ${x.channel}` : ''}${x.start ? ` · ${x.start}` : ''}: `, x.detail))))));
  return null;
}

