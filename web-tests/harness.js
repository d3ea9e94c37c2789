// What the browser tests share: the `epg` binary, a served database with a real sample
// imported, loopback feed servers, and a Chromium that never leaves loopback.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '..');
export const shots = join(here, 'screenshots');

/** The sample the tests know by heart (5 channels, 294 programmes, 29 Nov – 2 Dec 2022). */
export const SAMPLE = 'iptv-org-epg/energeek.cl.content.xml';
/** A moment inside the sample's span; the page clock is set to it. */
export const CLOCK = new Date('2022-11-30T15:10:00Z');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function epgBinary() {
  const bin = process.env.EPG_BIN || join(root, 'target', 'debug', 'epg');
  if (!existsSync(bin)) throw new Error(`no epg binary at ${bin}: run cargo build -p epg-cli`);
  return bin;
}

/** `shared/xmltv-samples` beside the checkout (or one of its parents), or `$EPG_SAMPLES`. */
export function samples() {
  if (process.env.EPG_SAMPLES) return process.env.EPG_SAMPLES;
  for (let dir = root; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dirname(dir), 'shared', 'xmltv-samples');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('shared/xmltv-samples not found beside the checkout');
}

export function tempDir() {
  return mkdtempSync(join(tmpdir(), 'epg-web-'));
}

/** `epg import` of `file` into a new database at `db`. */
export function importInto(db, provider, file) {
  execFileSync(epgBinary(), ['import', '--db', db, '--provider', provider, file], { stdio: 'pipe' });
}

async function freePort() {
  const server = createServer();
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  await new Promise((ok) => server.close(ok));
  return port;
}

/** `epg serve` on `db` at a free loopback port; resolves once it answers. */
export async function serve(db, env = {}) {
  const port = await freePort();
  const inherited = { ...process.env };
  // The loopback feed server must be reached directly, whatever proxy the caller uses.
  for (const name of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY']) delete inherited[name];
  const child = spawn(epgBinary(), ['serve', '--db', db, '--listen', `127.0.0.1:${port}`], {
    // Past samples survive the cleanup that follows every import.
    env: { ...inherited, NO_PROXY: '127.0.0.1,localhost', SPIN_VARIABLE_RETENTION_DAYS: '36500', SPIN_VARIABLE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i += 1) {
    try {
      const res = await fetch(`${url}/api/v1/health`);
      if (res.ok) return { url, stop: () => child.kill('SIGTERM') };
    } catch { /* not up yet */ }
    if (child.exitCode !== null) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`epg serve did not start: ${stderr}`);
}

/** A loopback HTTP server answering `path` with `body`. */
export async function fileServer(files) {
  const server = createServer((req, res) => {
    const body = files[req.url];
    if (body === undefined) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'Content-Type': 'application/xml' });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((ok) => server.close(ok)) };
}

const xml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const stamp = (ms) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14) + ' +0000';

/** An XMLTV document: `channels` is `[{ id, name, programmes: [{ start, stop, title, extra }] }]`; a `null` stop is left out, `extra` is
 * trusted XML after the title. */
export function feed(channels) {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n<tv>\n'];
  for (const c of channels) out.push(`<channel id="${xml(c.id)}"><display-name>${xml(c.name)}</display-name></channel>\n`);
  for (const c of channels) {
    for (const p of c.programmes) {
      const stop = p.stop === null ? '' : ` stop="${stamp(p.stop)}"`;
      out.push(`<programme start="${stamp(p.start)}"${stop} channel="${xml(c.id)}"><title>${xml(p.title)}</title>${p.extra || ''}</programme>\n`);
    }
  }
  out.push('</tv>\n');
  return out.join('');
}

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * A page at `size` with the clock at `CLOCK` (or the real one for `null`). Requests off loopback (feed icons) are
 * aborted before they leave; CSP reports and page errors are collected for asserts.
 */
export async function openPage(browser, size = { width: 1440, height: 900 }, clock = CLOCK) {
  const context = await browser.newContext({ viewport: size, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  await page.route((u) => !/^http:\/\/127\.0\.0\.1(:\d+)?\//.test(u.href), (r) => r.abort());
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) page.problems.push(m.text()); });
  page.on('dialog', (d) => { page.problems.push(`dialog: ${d.message()}`); d.dismiss(); });
  if (clock) await page.clock.setFixedTime(clock);
  return page;
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function axe(page) {
  const { default: axeCore } = await import('axe-core');
  // Evaluated through the devtools protocol, which the page's CSP does not govern.
  await page.evaluate(axeCore.source);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

export async function screenshot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

export { writeFileSync, rmSync, join };
