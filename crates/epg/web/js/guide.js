// The guide grid: channels down, time across. Only the rows and hours in view are in
// the DOM; programmes are fetched per channel in 6-hour chunks as they come into view,
// so 1,000+ channels over the whole retention window scroll without lag.

import { api, iso, qs } from './api.js';
import { clock, day, h, replace, picture } from './dom.js';
import { openDetails } from './details.js';
import { failed } from './app.js';

const HOUR = 3600e3;
const CHUNK = 6 * HOUR;
const DAYS_BACK = 7;
const DAYS_AHEAD = 7;
const OVERSCAN_ROWS = 4;

/** Every channel, all pages fetched at once. */
export async function allChannels() {
  const first = await api('GET', `/channels${qs({ limit: 500, enabled: 'true' })}`);
  const pages = [];
  for (let offset = 500; offset < first.total; offset += 500) {
    pages.push(api('GET', `/channels${qs({ limit: 500, offset, enabled: 'true' })}`));
  }
  return first.items.concat(...(await Promise.all(pages)).map((p) => p.items));
}

export async function guidePage(main) {
  const mobile = matchMedia('(max-width: 700px)').matches;
  const g = {
    rowH: mobile ? 52 : 56,
    labelW: mobile ? 112 : 200,
    rulerH: 32,
    pxPerMs: (mobile ? 180 : 260) / HOUR,
    now: Date.now(),
    channels: [],
    shown: [],
    chunks: new Map(),
    nodes: new Map(),
    focusKey: null,
    frame: 0,
  };
  const midnight = new Date(g.now);
  midnight.setHours(0, 0, 0, 0);
  g.origin = midnight.getTime() - DAYS_BACK * 24 * HOUR;
  g.end = midnight.getTime() + (DAYS_AHEAD + 1) * 24 * HOUR;

  const toolbar = buildToolbar(g);
  g.viewport = h('div', { class: 'grid', tabindex: '-1', role: 'region', 'aria-label': 'Programme guide' });
  g.canvas = h('div', { class: 'grid-canvas' });
  g.layer = h('div', { class: 'grid-layer' });
  g.labels = h('div', { class: 'grid-labels' });
  g.ruler = h('div', { class: 'grid-ruler', 'aria-hidden': 'true' });
  g.nowLine = h('div', { class: 'now-line', 'aria-hidden': 'true' });
  g.corner = h('div', { class: 'grid-corner' });
  g.canvas.append(g.nowLine, g.layer, g.labels, g.ruler, g.corner);
  g.viewport.append(g.canvas);
  g.results = h('section', { class: 'results', 'aria-label': 'Search results', hidden: true });
  replace(main, toolbar, g.results, g.viewport);

  g.channels = await allChannels();
  if (g.channels.length === 0) {
    replace(g.layer, h('p', { class: 'empty' }, 'No channels yet: add a provider and import it.'));
  }
  setShown(g, g.channels);
  jumpTo(g, g.now - HOUR / 2);
  g.viewport.addEventListener('scroll', () => schedule(g), { passive: true });
  g.viewport.addEventListener('keydown', (e) => onKey(g, e));
  g.viewport.addEventListener('click', (e) => {
    const btn = e.target.closest('.prog');
    if (btn) show(g, btn);
  });
  const resize = () => schedule(g);
  window.addEventListener('resize', resize);
  const tick = setInterval(() => { g.now = Date.now(); placeNowLine(g); }, 30e3);
  placeNowLine(g);
  render(g);
  return () => { clearInterval(tick); window.removeEventListener('resize', resize); };
}

function buildToolbar(g) {
  const days = h('select', { 'aria-label': 'Day', onchange: (e) => jumpTo(g, Number(e.target.value) + 18 * HOUR) });
  for (let d = -DAYS_BACK; d <= DAYS_AHEAD; d += 1) {
    const start = g.origin + (d + DAYS_BACK) * 24 * HOUR;
    days.append(h('option', { value: start, selected: d === 0 }, d === 0 ? `Today (${day(new Date(start))})` : day(new Date(start))));
  }
  g.daySelect = days;
  const filter = h('input', {
    type: 'search', placeholder: 'Filter channels', 'aria-label': 'Filter channels by name',
    oninput: (e) => {
      const q = e.target.value.trim().toLowerCase();
      setShown(g, q ? g.channels.filter((c) => c.name.toLowerCase().includes(q)) : g.channels);
    },
  });
  const query = h('input', { type: 'search', name: 'q', placeholder: 'Search programmes', 'aria-label': 'Search programmes' });
  const search = h('form', { class: 'search', role: 'search', onsubmit: (e) => { e.preventDefault(); runSearch(g, query.value.trim()); } },
    query, h('button', { type: 'submit' }, 'Search'));
  return h('div', { class: 'toolbar' },
    h('button', { type: 'button', onclick: () => jumpTo(g, Date.now() - HOUR / 2) }, 'Now'),
    days, filter, search);
}

function setShown(g, channels) {
  g.shown = channels;
  for (const node of g.nodes.values()) node.remove();
  g.nodes.clear();
  g.canvas.style.width = `${g.labelW + (g.end - g.origin) * g.pxPerMs}px`;
  g.canvas.style.height = `${g.rulerH + channels.length * g.rowH}px`;
  g.viewport.style.setProperty('--row-h', `${g.rowH}px`);
  g.viewport.style.setProperty('--label-w', `${g.labelW}px`);
  schedule(g);
}

const x = (g, ms) => g.labelW + (ms - g.origin) * g.pxPerMs;

function jumpTo(g, ms) {
  g.viewport.scrollLeft = Math.max(0, x(g, ms) - g.labelW);
  schedule(g);
}

function schedule(g) {
  if (!g.frame) g.frame = requestAnimationFrame(() => { g.frame = 0; render(g); });
}

/** What is in view: rows `[r0, r1)` and times `[t0, t1)`, read before any write. */
function view(g) {
  const v = g.viewport;
  const r0 = Math.max(0, Math.floor(v.scrollTop / g.rowH) - OVERSCAN_ROWS);
  const r1 = Math.min(g.shown.length, Math.ceil((v.scrollTop + v.clientHeight) / g.rowH) + OVERSCAN_ROWS);
  const t0 = g.origin + v.scrollLeft / g.pxPerMs - HOUR;
  const t1 = g.origin + (v.scrollLeft + v.clientWidth) / g.pxPerMs + HOUR;
  return { r0, r1, t0, t1, top: v.scrollTop, left: v.scrollLeft, width: v.clientWidth };
}

function render(g) {
  const vw = view(g);
  const keep = new Set();
  for (let r = vw.r0; r < vw.r1; r += 1) {
    const ch = g.shown[r];
    keep.add(label(g, ch, r));
    for (let c = Math.floor((vw.t0 - g.origin) / CHUNK); c * CHUNK + g.origin < vw.t1; c += 1) {
      const items = chunk(g, ch.id, c);
      if (!items) continue;
      for (const p of items) {
        if (p.stopMs > vw.t0 && p.startMs < vw.t1) keep.add(block(g, ch, p, r, vw.left));
      }
    }
  }
  for (const [key, node] of g.nodes) {
    if (!keep.has(key) && key !== g.focusKey) { node.remove(); g.nodes.delete(key); }
  }
  // Labels, ruler and now-line stay in place: one transform each per frame.
  g.labels.style.transform = `translateX(${vw.left}px)`;
  g.ruler.style.transform = `translateY(${vw.top}px)`;
  g.corner.style.transform = `translate(${vw.left}px, ${vw.top}px)`;
  g.nowLine.style.transform = `translateY(${vw.top}px)`;
  drawRuler(g, vw);
  const shownDay = String(dayStart(g, g.origin + (vw.left + vw.width / 2) / g.pxPerMs));
  if (g.daySelect.value !== shownDay) g.daySelect.value = shownDay;
}

function dayStart(g, ms) {
  const d = Math.floor((ms - g.origin) / (24 * HOUR));
  return g.origin + Math.max(0, Math.min(d, DAYS_BACK + DAYS_AHEAD)) * 24 * HOUR;
}

function label(g, ch, r) {
  const key = `c${ch.id}`;
  let node = g.nodes.get(key);
  if (!node) {
    node = h('div', { class: 'chan', 'data-channel': ch.id },
      ch.lcn ? h('span', { class: 'lcn' }, ch.lcn) : null,
      ch.icon ? picture(ch.icon, 'chan-logo') : null,
      h('span', { class: 'chan-name' }, ch.name));
    g.labels.append(node);
    g.nodes.set(key, node);
  }
  if (node.row !== r) { node.row = r; node.style.top = `${g.rulerH + r * g.rowH}px`; }
  return key;
}

function block(g, ch, p, r, left = g.viewport.scrollLeft) {
  const key = `p${ch.id}:${p.id}:${p.startMs}`;
  let node = g.nodes.get(key);
  if (!node) {
    const badges = [];
    const rec = p.programme || {};
    if (rec.new) badges.push(h('span', { class: 'badge' }, 'New'));
    if (rec.premiere) badges.push(h('span', { class: 'badge' }, 'Premiere'));
    if (rec.live) badges.push(h('span', { class: 'badge badge-live' }, 'Live'));
    // The accessible name is the visible text plus the channel, for screen readers.
    node = h('button', { type: 'button', class: 'prog', tabindex: '-1', 'data-key': key },
      h('span', { class: 'prog-title' }, p.title),
      h('span', { class: 'prog-time' }, `${clock(new Date(p.startMs))}–${clock(new Date(p.stopMs))}`, ...badges),
      h('span', { class: 'sr-only' }, ` on ${ch.name}`));
    node.prog = p;
    node.channel = ch;
    node.classList.toggle('on-now', p.startMs <= g.now && g.now < p.stopMs);
    node.style.left = `${x(g, p.startMs)}px`;
    node.style.width = `${Math.max(2, (p.stopMs - p.startMs) * g.pxPerMs - 2)}px`;
    g.layer.append(node);
    g.nodes.set(key, node);
  }
  if (node.row !== r) { node.row = r; node.style.top = `${g.rulerH + r * g.rowH}px`; }
  // A programme that began left of the view keeps its title in sight.
  const hidden = Math.max(0, Math.min(left - (x(g, p.startMs) - g.labelW), (p.stopMs - p.startMs) * g.pxPerMs - 48));
  const pad = hidden > 0 ? `${hidden + 6}px` : '';
  if (node.style.paddingLeft !== pad) node.style.paddingLeft = pad;
  if (!g.focusKey && node.classList.contains('on-now')) g.focusKey = key;
  const tabIndex = key === g.focusKey ? 0 : -1;
  if (node.tabIndex !== tabIndex) node.tabIndex = tabIndex;
  return key;
}

/** The programmes of chunk `c` of a channel, or `null` while they load. */
function chunk(g, channelId, c) {
  const key = `${channelId}:${c}`;
  const have = g.chunks.get(key);
  if (have) return Array.isArray(have) ? have : null;
  const start = g.origin + c * CHUNK;
  const loading = api('GET', `/channels/${channelId}/programs${qs({ start: iso(start), end: iso(start + CHUNK) })}`)
    .then((w) => {
      g.chunks.set(key, w.items.map((p) => ({ ...p, startMs: Date.parse(p.start), stopMs: Date.parse(p.stop) })));
      schedule(g);
    })
    // A failed chunk stays empty rather than being asked for again every frame.
    .catch((e) => { g.chunks.set(key, []); failed(e, 'Programmes could not load: '); });
  g.chunks.set(key, loading);
  return null;
}

function drawRuler(g, vw) {
  const half = HOUR / 2;
  const span = `${Math.floor(vw.t0 / half)}:${Math.floor(vw.t1 / half)}`;
  if (g.rulerSpan === span) return;
  g.rulerSpan = span;
  const ticks = [];
  for (let t = Math.floor(vw.t0 / half) * half; t < vw.t1; t += half) {
    const d = new Date(t);
    const major = d.getMinutes() === 0;
    const text = d.getHours() === 0 && major ? `${day(d)} ${clock(d)}` : clock(d);
    const tick = h('span', { class: major ? 'tick tick-hour' : 'tick' }, text);
    tick.style.left = `${x(g, t)}px`;
    ticks.push(tick);
  }
  replace(g.ruler, ticks);
}

function placeNowLine(g) {
  g.nowLine.style.left = `${x(g, g.now)}px`;
}

function show(g, node) {
  focusNode(g, node);
  openDetails(node.prog, node.channel, () => focusNode(g, node));
}

function focusNode(g, node) {
  const old = g.nodes.get(g.focusKey);
  if (old) old.tabIndex = -1;
  g.focusKey = node.dataset.key;
  node.tabIndex = 0;
  node.focus({ preventScroll: true });
  const v = g.viewport;
  const left = node.offsetLeft - g.labelW;
  if (left < v.scrollLeft || left > v.scrollLeft + v.clientWidth - g.labelW - 40) v.scrollLeft = Math.max(0, left - 40);
  const top = node.offsetTop - g.rulerH;
  if (top < v.scrollTop) v.scrollTop = top;
  else if (top + g.rowH > v.scrollTop + v.clientHeight - g.rulerH) v.scrollTop = top + 2 * g.rowH - v.clientHeight + g.rulerH;
}

/** Arrows move between programmes (across rows at the same time), Enter opens. */
async function onKey(g, e) {
  const node = g.nodes.get(g.focusKey);
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  if (!moves[e.key] || !node) return;
  e.preventDefault();
  const [dr, dt] = moves[e.key];
  const p = node.prog;
  const row = node.row + dr;
  if (row < 0 || row >= g.shown.length) return;
  const at = dt < 0 ? p.startMs - 1 : dt > 0 ? p.stopMs : Math.max(p.startMs, Math.min(g.now, p.stopMs - 1));
  const target = await programmeAt(g, g.shown[row], at, dt);
  if (!target) return;
  const key = block(g, g.shown[row], target, row);
  focusNode(g, g.nodes.get(key));
  schedule(g);
}

async function programmeAt(g, ch, at, dt) {
  for (let tries = 0; tries < 8; tries += 1) {
    const c = Math.floor((at - g.origin) / CHUNK);
    const key = `${ch.id}:${c}`;
    if (!g.chunks.has(key)) chunk(g, ch.id, c);
    await g.chunks.get(key);
    const items = g.chunks.get(key);
    if (!Array.isArray(items)) return null;
    const hit = dt < 0
      ? items.filter((p) => p.startMs <= at).at(-1)
      : dt > 0 ? items.find((p) => p.startMs >= at) : items.find((p) => p.startMs <= at && at < p.stopMs) || items.find((p) => p.startMs >= at);
    if (hit) return hit;
    if (dt === 0) return null;
    at = dt < 0 ? g.origin + c * CHUNK - 1 : g.origin + (c + 1) * CHUNK;
    if (at < g.origin || at >= g.end) return null;
  }
  return null;
}

async function runSearch(g, q) {
  if (!q) { g.results.hidden = true; return; }
  const now = Date.now();
  let found;
  try {
    found = await api('GET', `/programs/search${qs({ q, start: iso(now - DAYS_BACK * 24 * HOUR), end: iso(now + DAYS_AHEAD * 24 * HOUR), limit: 50 })}`);
  } catch (e) {
    replace(g.results, h('p', { class: 'field-error' }, e.message));
    g.results.hidden = false;
    return;
  }
  const list = h('ul', { class: 'result-list' });
  for (const hit of found.items) {
    const startMs = Date.parse(hit.start);
    const ch = g.channels.find((c) => c.id === hit.channel_id) || { id: hit.channel_id, name: hit.channel_name };
    const open = () => {
      const row = g.shown.findIndex((c) => c.id === hit.channel_id);
      if (row >= 0) g.viewport.scrollTop = row * g.rowH;
      jumpTo(g, startMs - HOUR / 2);
      openDetails({ ...hit, startMs, stopMs: Date.parse(hit.stop) }, ch, () => list.querySelector('button')?.focus());
    };
    list.append(h('li', {},
      h('button', { type: 'button', class: 'link', onclick: open }, hit.title),
      h('span', { class: 'muted' }, ` ${hit.channel_name} · ${day(new Date(startMs))} ${clock(new Date(startMs))}`)));
  }
  replace(g.results,
    h('div', { class: 'results-head' },
      h('h2', {}, `${found.items.length ? found.items.length : 'No'} result${found.items.length === 1 ? '' : 's'} for “${q}”`),
      h('button', { type: 'button', class: 'link', onclick: () => { g.results.hidden = true; } }, 'Close')),
    list);
  g.results.hidden = false;
}
