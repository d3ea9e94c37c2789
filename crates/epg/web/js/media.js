// For media servers: the XMLTV URLs ready to copy, with the channel and day options,
// and the service's version and health.

import { api } from './api.js';
import { h, replace, when } from './dom.js';
import { say } from './app.js';

function copyRow(label, url) {
  const input = h('input', { type: 'text', readonly: true, value: url, 'aria-label': label });
  const copy = async () => {
    input.select();
    try { await navigator.clipboard.writeText(input.value); say(`Copied ${label}.`, 'ok'); } catch { say('Select the URL and copy it.', 'info'); }
  };
  return h('div', { class: 'copy' }, h('span', { class: 'copy-label' }, label), input, h('button', { type: 'button', onclick: copy }, 'Copy'));
}

export async function mediaPage(main) {
  const base = location.origin;
  const custom = h('div');
  const channels = h('input', { type: 'text', placeholder: '1,2,3', id: 'x-channels' });
  const days = h('input', { type: 'number', min: '1', max: '14', value: '3', id: 'x-days' });
  const gzip = h('input', { type: 'checkbox', id: 'x-gzip', checked: true });
  const build = () => {
    const q = new URLSearchParams();
    if (channels.value.trim()) q.set('channels', channels.value.replace(/\s+/g, ''));
    if (days.value) q.set('days', days.value);
    const path = gzip.checked ? '/api/v1/xmltv.gz' : '/api/v1/xmltv';
    replace(custom, copyRow('Custom URL', `${base}${path}${q.toString() ? `?${q}` : ''}`));
  };
  for (const el of [channels, days, gzip]) el.addEventListener('input', build);
  const health = h('dl', { class: 'facts' });
  replace(main,
    h('h1', {}, 'For media servers'),
    h('p', {}, 'Give Plex, Jellyfin, Emby, Kodi or Tvheadend one of these XMLTV URLs.'),
    copyRow('XMLTV', `${base}/xmltv.xml`), copyRow('XMLTV (gzip)', `${base}/xmltv.xml.gz`),
    h('h2', {}, 'Only some channels or days'),
    h('div', { class: 'inline-form' },
      h('label', { for: 'x-channels' }, 'Channel ids'), channels,
      h('label', { for: 'x-days' }, 'Days'), days,
      h('label', { for: 'x-gzip' }, 'gzip'), gzip),
    custom,
    h('h2', {}, 'Service'), health);
  build();
  try {
    const s = await api('GET', '/health');
    const last = s.last_import;
    replace(health,
      [['Status', s.status], ['Version', s.version], ['Schema version', String(s.schema_version)], ['Database', s.database],
        ['Last import', last ? `${last.status}, ${when(last.finished_at)} (provider ${last.provider_id})` : 'none yet']]
        .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  } catch (e) {
    replace(health, h('dt', {}, 'Status'), h('dd', { class: 'field-error' }, e.message));
  }
  return null;
}
