// Speed figures of the grid, printed and not asserted: navigation to the first painted
// grid for 1,000 channels × 24 h, and frames per second while scrolling it.

import { after, before, test } from 'node:test';
import { feed, importInto, join, launch, openPage, rmSync, serve, tempDir, writeFileSync } from './harness.js';

const CHANNELS = 1000;
const HOUR = 3600e3;
const SCROLL_MS = 3000;

let dir;
let server;
let browser;

before(async () => {
  dir = tempDir();
  // Programmes of 30 to 90 minutes from 6 hours ago to 18 hours ahead, by the real clock.
  const start = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
  const channels = [];
  for (let c = 0; c < CHANNELS; c += 1) {
    const programmes = [];
    for (let t = start, i = 0; t < start + 24 * HOUR; i += 1) {
      const length = (30 + ((c + i) % 3) * 30) * 60e3;
      programmes.push({ start: t, stop: t + length, title: `Programme ${i} of channel ${c}` });
      t += length;
    }
    channels.push({ id: `bench${c}.example`, name: `Bench ${String(c).padStart(4, '0')}`, programmes });
  }
  const file = join(dir, 'bench.xml');
  writeFileSync(file, feed(channels));
  importInto(join(dir, 'bench.db'), 'bench', file);
  server = await serve(join(dir, 'bench.db'));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test(`bench: grid of ${CHANNELS} channels × 24 h`, async (t) => {
  const page = await openPage(browser, { width: 1440, height: 900 }, null);
  const started = Date.now();
  await page.goto(`${server.url}/#/guide`);
  await page.waitForFunction(() => document.querySelectorAll('.prog').length >= 20);
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const firstGrid = Date.now() - started;
  const frames = await page.evaluate((ms) => new Promise((ok) => {
    const grid = document.querySelector('.grid');
    const end = performance.now() + ms;
    let count = 0;
    const step = (now) => {
      count += 1;
      grid.scrollTop += 37;
      grid.scrollLeft += (count % 200 < 100 ? 23 : -23);
      if (now < end) requestAnimationFrame(step);
      else ok(count);
    };
    requestAnimationFrame(step);
  }), SCROLL_MS);
  const fps = (frames / (SCROLL_MS / 1000)).toFixed(1);
  const line = `bench: navigation to first painted grid (${CHANNELS} channels × 24 h): ${firstGrid} ms; scrolling: ${fps} fps`;
  t.diagnostic(line);
  await page.close();
});
