// Channels: the paged list with a name filter; rename, icon, enable/disable; a
// channel's mappings: move one onto another channel, set its time shift, remove it.

import { api, qs } from './api.js';
import { h, replace, picture } from './dom.js';
import { failed, say } from './app.js';

const PAGE = 50;

export async function channelsPage(main) {
  const state = { q: '', offset: 0 };
  const list = h('div', { class: 'rows' });
  const pager = h('div', { class: 'pager' });
  const filter = h('input', {
    type: 'search', placeholder: 'Filter by name', 'aria-label': 'Filter channels by name',
    oninput: () => { state.q = filter.value.trim(); state.offset = 0; load(); },
  });
  replace(main, h('div', { class: 'page-head' }, h('h1', {}, 'Channels'), filter), list, pager);
  async function load() {
    const page = await api('GET', `/channels${qs({ q: state.q, limit: PAGE, offset: state.offset })}`);
    replace(list, page.items.length ? page.items.map((c) => row(c, load)) : h('p', { class: 'empty' }, 'No channels match.'));
    const last = Math.min(page.total, state.offset + page.items.length);
    replace(pager,
      h('button', { type: 'button', disabled: state.offset === 0, onclick: () => { state.offset -= PAGE; load(); } }, 'Previous'),
      h('span', {}, page.total ? `${state.offset + 1}–${last} of ${page.total}` : '0 channels'),
      h('button', { type: 'button', disabled: last >= page.total, onclick: () => { state.offset += PAGE; load(); } }, 'Next'));
  }
  await load();
  return null;
}

function row(c, reload) {
  const mappings = h('div', { class: 'mappings', hidden: true });
  const name = h('input', { type: 'text', value: c.name, 'aria-label': `Name of channel ${c.id}` });
  const icon = h('input', { type: 'text', value: c.icon || '', placeholder: 'Icon URL', 'aria-label': `Icon of channel ${c.id}` });
  const patch = (body, done) => api('PATCH', `/channels/${c.id}`, body).then(() => { say(done, 'ok'); reload(); }, (e) => failed(e));
  const toggleMappings = async () => {
    if (!mappings.hidden) { mappings.hidden = true; return; }
    await showMappings(c, mappings);
    mappings.hidden = false;
  };
  return h('article', { class: 'row', 'data-channel': c.id },
    h('div', { class: 'row-main' },
      h('span', { class: 'lcn' }, c.lcn || String(c.id)),
      c.icon ? picture(c.icon, 'chan-icon') : null,
      h('strong', {}, c.name), c.enabled ? null : h('span', { class: 'badge' }, 'Disabled'),
      h('span', { class: 'muted' }, c.xmltv_id || ''),
      h('button', { type: 'button', class: 'link', 'aria-expanded': 'false', onclick: (e) => toggleMappings().then(() => e.target.setAttribute('aria-expanded', String(!mappings.hidden))) }, 'Mappings')),
    h('form', { class: 'row-edit write', onsubmit: (e) => { e.preventDefault(); patch({ name: name.value.trim(), icon: icon.value.trim() || null }, `Saved channel ${c.id}.`); } },
      name, icon, h('button', { type: 'submit' }, 'Save'),
      h('button', { type: 'button', onclick: () => patch({ enabled: !c.enabled }, c.enabled ? 'Disabled.' : 'Enabled.') }, c.enabled ? 'Disable' : 'Enable')),
    mappings);
}

async function showMappings(c, slot) {
  const list = await api('GET', `/channels/${c.id}/mappings`);
  const items = Array.isArray(list) ? list : list.items || [];
  const redo = () => showMappings(c, slot);
  replace(slot, items.length === 0 ? h('p', { class: 'muted' }, 'No provider channel feeds this channel.') : h('table', {},
    h('thead', {}, h('tr', {}, ['Provider', 'Provider channel', 'Shift (min)', 'Set by hand', 'Move or remove'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, items.map((m) => mappingRow(c, m, redo)))));
}

function mappingRow(c, m, redo) {
  const shift = h('input', { type: 'number', value: m.time_shift_minutes, min: '-1440', max: '1440', 'aria-label': `Time shift of ${m.provider_channel_id}` });
  const target = h('input', { type: 'number', min: '1', placeholder: 'Channel id', 'aria-label': `Move ${m.provider_channel_id} to channel` });
  const act = (p, done) => p.then(() => { say(done, 'ok'); redo(); }, (e) => failed(e));
  return h('tr', {},
    h('td', {}, m.provider_name), h('td', {}, m.provider_channel_id),
    h('td', {}, h('span', { class: 'readonly-only' }, String(m.time_shift_minutes)), h('span', { class: 'write' }, shift,
      h('button', { type: 'button', onclick: () => act(api('PATCH', `/mappings/${m.id}`, { time_shift_minutes: Number(shift.value) }), 'Shift saved.') }, 'Set'))),
    h('td', {}, m.manual ? 'yes' : 'no'),
    h('td', { class: 'write' }, target,
      h('button', { type: 'button', onclick: () => act(api('POST', `/channels/${Number(target.value)}/mappings`, { provider_id: m.provider_id, provider_channel_id: m.provider_channel_id, time_shift_minutes: m.time_shift_minutes }), `Moved to channel ${target.value}.`) }, 'Move'),
      h('button', { type: 'button', class: 'danger', onclick: () => act(api('DELETE', `/mappings/${m.id}`), 'Mapping removed.') }, 'Remove')));
}
