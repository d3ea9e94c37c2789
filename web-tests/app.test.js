// The web app in Chromium against `epg serve` on a database with a real sample.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CLOCK, SAMPLE, axe, feed, fileServer, importInto, join, launch, openPage, rmSync, samples, screenshot,
  serve, tempDir,
} from './harness.js';

const XSS = '<img src=x onerror=alert(1)>';
const MIN = 60e3;
const RICH = '<title lang="de">Nach dem Test</title><sub-title lang="en">The sequel</sub-title>'
  + '<desc lang="en">A programme with every field.</desc>'
  + '<credits><director>Jane Doe</director><actor role="Hero">John Roe</actor></credits>'
  + '<category lang="en">Drama</category><episode-num system="xmltv_ns">1.4.</episode-num><new/>'
  + '<rating system="FSK"><value>12</value></rating><star-rating><value>4/5</value></star-rating>';
const sizes = { desktop: { width: 1440, height: 900 }, phone: { width: 390, height: 844 } };

let dir;
let open;
let locked;
let feeds;
let browser;

before(async () => {
  dir = tempDir();
  const db = join(dir, 'guide.db');
  importInto(db, 'energeek', join(samples(), SAMPLE));
  const lockedDb = join(dir, 'locked.db');
  importInto(lockedDb, 'energeek', join(samples(), SAMPLE));
  open = await serve(db);
  locked = await serve(lockedDb, { SPIN_VARIABLE_ADMIN_TOKEN: 's3cret' });
  const at = CLOCK.getTime();
  feeds = await fileServer({
    '/loopback.xml': feed([{
      id: 'loop.one', name: 'Loopback One',
      programmes: [
        { start: at - 70 * MIN, stop: at - 10 * MIN, title: 'Before the test' },
        { start: at - 10 * MIN, stop: at + 50 * MIN, title: XSS },
        { start: at + 50 * MIN, stop: at + 110 * MIN, title: 'After the test', extra: RICH },
        // The last programme has no stop and nothing after it to end it: rejected.
        { start: at + 110 * MIN, stop: null, title: 'Never ends' },
      ],
    }]),
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  open?.stop();
  locked?.stop();
  await feeds?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function guide(page, url = open.url) {
  await page.goto(`${url}/#/guide`);
  await page.locator('.prog').first().waitFor();
}

/** The programme block titled `title` on the row of channel `name`. */
function block(page, name, title) {
  return page.locator('.prog').filter({ hasText: title }).filter({ hasText: ` on ${name}` });
}

function assertClean(page) {
  assert.deepEqual(page.problems, []);
}

describe('guide', () => {
  test('shows the programme on air now on a known channel', async () => {
    const page = await openPage(browser);
    await guide(page);
    const now = block(page, 'EnerGeek Retro', 'Candy Candy').filter({ hasText: '15:00–15:30' });
    await now.waitFor();
    assert.equal(await now.evaluate((el) => el.classList.contains('on-now')), true);
    assert.equal(await page.locator('.chan-name', { hasText: 'EnerGeek Fanpop' }).count(), 1);
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'guide-1440x900');
    assertClean(page);
    await page.close();
  });

  test('jumping to another day shows that day', async () => {
    const page = await openPage(browser);
    await guide(page);
    const other = block(page, 'EnerGeek Retro', 'Conejos Yoyos').filter({ hasText: '19:00–20:00' });
    assert.equal(await other.count(), 0);
    const day = page.getByLabel('Day', { exact: true });
    await day.selectOption({ label: 'Tue 29 Nov' });
    await other.waitFor();
    assert.equal(await other.textContent(), 'Conejos Yoyos19:00–20:00 on EnerGeek Retro');
    await page.locator('.grid').evaluate((el) => { el.scrollLeft += 24 * 260 * 1; });
    await page.waitForFunction(() => document.querySelector('select[aria-label="Day"]').selectedOptions[0].textContent.startsWith('Today'));
    assertClean(page);
    await page.close();
  });

  test('search finds a known title and opens its details', async () => {
    const page = await openPage(browser);
    await guide(page);
    await page.getByLabel('Search programmes').fill('Conejos');
    await page.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('region', { name: 'Search results' });
    await results.getByRole('button', { name: 'Conejos Yoyos' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getByRole('heading', { level: 2 }).textContent(), 'Conejos Yoyos');
    await dialog.getByText('Programa Geek. Esperamos traer muchos jojos, conejos y mas').waitFor();
    assert.match(await dialog.textContent(), /Providerenergeek/);
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'details-1440x900');
    // A click inside the dialog keeps it open; one on the backdrop closes it.
    await dialog.getByText('Programa Geek. Esperamos traer muchos jojos, conejos y mas').click();
    assert.equal(await dialog.isVisible(), true);
    await page.mouse.click(10, 450);
    await dialog.waitFor({ state: 'hidden' });
    assertClean(page);
    await page.close();
  });

  test('arrows move between programmes, Enter opens, Escape closes', async () => {
    const page = await openPage(browser);
    await guide(page);
    await page.locator('.prog[tabindex="0"]').waitFor();
    // The grid is one tab stop, right after the toolbar's last control.
    await page.getByRole('button', { name: 'Search' }).focus();
    await page.keyboard.press('Tab');
    const focused = () => page.evaluate(() => document.activeElement.textContent);
    assert.equal(await focused(), 'Maraton  Energeek 415:00–18:00 on EnerGeek 4');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'Maraton  Energeek 315:00–18:00 on EnerGeek Animate');
    await page.keyboard.press('ArrowDown');
    assert.match(await focused(), /^Los Jovenes .*15:00–15:30 on EnerGeek Fanpop$/);
    await page.keyboard.press('ArrowRight');
    assert.match(await focused(), /15:30–16:00 on EnerGeek Fanpop$/);
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowUp');
    assert.equal(await focused(), 'Maraton  Energeek 315:00–18:00 on EnerGeek Animate');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getByRole('heading', { level: 2 }).textContent(), 'Maraton  Energeek 3');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await focused(), 'Maraton  Energeek 315:00–18:00 on EnerGeek Animate');
    assertClean(page);
    await page.close();
  });
});

describe('providers', () => {
  test('a form error is shown at its field', async () => {
    const page = await openPage(browser);
    await page.goto(`${open.url}/#/providers`);
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Broken');
    await page.getByLabel('XMLTV URL').fill('ftp://example.com/guide.xml');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const error = page.locator('[data-field="xmltv_url"] .field-error');
    await error.waitFor();
    assert.equal(await error.textContent(), 'scheme "ftp" is not supported; use http or https');
    assert.equal(await page.getByLabel('XMLTV URL').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('[data-field="name"] .field-error').isHidden(), true);
    // A taken name (409) is shown at the name, and the URL's error is gone.
    await page.getByLabel('Name', { exact: true }).fill('energeek');
    await page.getByLabel('XMLTV URL').fill('https://example.com/guide.xml');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('[data-field="name"] .field-error').getByText('a provider named "energeek" already exists').waitFor();
    assert.equal(await error.isHidden(), true);
    assert.equal(await page.getByLabel('XMLTV URL').getAttribute('aria-invalid'), null);
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'provider-error-1440x900');
    assertClean(page);
    await page.close();
  });

  test('adding and importing a provider ends with its channels in the grid, feed text as text', async () => {
    const page = await openPage(browser);
    await page.goto(`${open.url}/#/providers`);
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Loopback');
    await page.getByLabel('XMLTV URL').fill(`${feeds.url}/loopback.xml`);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const card = page.locator('article.card', { has: page.getByRole('heading', { name: 'Loopback' }) });
    await card.waitFor();
    assert.equal(await card.locator('.run').textContent(), 'Never imported');
    await card.getByRole('button', { name: 'Import now' }).click();
    await card.locator('.progress.done').waitFor({ timeout: 30e3 });
    assert.equal(await card.locator('.progress.done').textContent(), 'Import succeeded: 3 added, 0 updated, 0 removed, 1 rejected');
    await card.locator('.status-succeeded').waitFor();
    await screenshot(page, 'providers-1440x900');
    await card.getByRole('link', { name: /^run \d+$/ }).click();
    await page.getByRole('heading', { name: /^Import run \d+$/ }).waitFor();
    assert.equal(await page.locator('dl.facts dd').nth(1).textContent(), 'Loopback');
    const reject = page.locator('section.reject');
    await reject.waitFor();
    assert.equal(await reject.getByRole('heading').textContent(), 'missing stop (1)');
    assert.equal(await reject.locator('li').textContent(),
      '#4 · loop.one · 20221130170000 +0000: no later programme on the channel to infer the stop from');
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'run-1440x900');

    await guide(page);
    await page.locator('.chan-name', { hasText: 'Loopback One' }).waitFor();
    const hostile = block(page, 'Loopback One', XSS);
    await hostile.waitFor();
    assert.equal(await hostile.locator('.prog-title').textContent(), XSS);
    assert.equal(await page.locator('.grid img[src="x"]').count(), 0);
    await hostile.click();
    const dialog = page.getByRole('dialog');
    assert.equal(await dialog.getByRole('heading', { level: 2 }).textContent(), XSS);
    assert.equal(await dialog.locator('img[src="x"]').count(), 0);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await block(page, 'Loopback One', 'After the test').click();
    await dialog.getByRole('heading', { name: 'After the test' }).waitFor();
    const facts = await dialog.locator('dl.facts').first().evaluate((dl) => [...dl.children].map((e) => e.textContent));
    assert.deepEqual(facts, ['Episode', 'S2 E5', 'Categories', 'Drama', 'Rating', '12 (FSK)', 'Star rating', '4/5',
      'Episode numbers', '1.4. (xmltv_ns)', 'Provider', 'Loopback']);
    const section = (name) => dialog.locator('section', { has: page.getByRole('heading', { name, exact: true }) });
    assert.deepEqual(await section('Titles').locator('p').allTextContents(), ['After the test', 'deNach dem Test']);
    assert.deepEqual(await section('Description').locator('p').allTextContents(), ['enA programme with every field.']);
    assert.deepEqual(await section('Credits').locator('dt, dd').allTextContents(), ['director', 'Jane Doe', 'actor', 'John Roe (Hero)']);
    assert.equal(await dialog.locator('.sub-title').textContent(), 'The sequel');
    assert.equal(await dialog.locator('.badge').textContent(), 'New');
    await screenshot(page, 'details-rich-1440x900');
    assertClean(page);
    await page.close();
  });

  test('editing and disabling a provider', async () => {
    const page = await openPage(browser);
    await page.goto(`${open.url}/#/providers`);
    const card = page.locator('article.card', { has: page.getByRole('heading', { name: 'Loopback' }) });
    await card.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit Loopback' });
    await form.getByLabel('Priority').fill('5');
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByLabel('Offset correction (minutes)').fill('-60');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved Loopback.').waitFor();
    await card.getByText('Priority 5 · zone Europe/Berlin · offset correction -60 min').waitFor();
    await card.getByRole('button', { name: 'Disable' }).click();
    await card.locator('h2 .badge', { hasText: 'Disabled' }).waitFor();
    await card.getByRole('button', { name: 'Enable' }).click();
    await card.getByRole('button', { name: 'Disable' }).waitFor();
    assert.equal(await card.locator('h2 .badge').count(), 0);
    assertClean(page);
    await page.close();
  });
});

describe('content security policy', () => {
  test('refuses inline script and inline style that reach the page', async () => {
    const page = await openPage(browser);
    await guide(page);
    const outcome = await page.evaluate(async () => {
      const violations = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true;';
      document.body.append(script);
      const style = document.createElement('style');
      style.textContent = 'body { display: none; }';
      document.head.append(style);
      await new Promise((ok) => setTimeout(ok, 100));
      return { ran: window.inlineRan === true, hidden: getComputedStyle(document.body).display === 'none', violations: violations.sort() };
    });
    assert.deepEqual(outcome, { ran: false, hidden: false, violations: ['script-src-elem', 'style-src-elem'] });
    await page.close();
  });
});

describe('read-only', () => {
  test('without the admin token writes are hidden; the token unlocks them', async () => {
    const page = await openPage(browser);
    await page.goto(`${locked.url}/#/providers`);
    await page.locator('article.card').first().waitFor();
    await page.getByText('Read-only', { exact: true }).waitFor();
    await page.getByText('Read-only: you can browse everything; changes need the admin token (enter it above).').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add provider' }).isVisible(), false);
    assert.equal(await page.getByRole('button', { name: 'Import now' }).isVisible(), false);
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'readonly-1440x900');
    await page.getByLabel('Admin token').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That admin token was not accepted (401): the app stays read-only.').waitFor();
    await page.getByLabel('Admin token').fill('s3cret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Add provider' }).waitFor();
    assert.equal(await page.locator('.readonly-banner').isVisible(), false);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('epg.admin-token')), 's3cret');
    await page.goto(`${locked.url}/#/channels`);
    await page.getByRole('button', { name: 'Save' }).first().waitFor();
    assertClean(page);
    await page.close();
  });

  test('a refused write says why', async () => {
    const page = await openPage(browser);
    await page.goto(`${locked.url}/#/channels`);
    await page.locator('article.row').first().waitFor();
    await page.evaluate(() => sessionStorage.setItem('epg.admin-token', 'stale'));
    await page.evaluate(() => document.body.classList.remove('readonly'));
    await page.getByRole('button', { name: 'Disable' }).first().click();
    await page.getByText('Not allowed (401): this change needs the admin token. Enter it above.').waitFor();
    assert.equal(await page.evaluate(() => document.body.classList.contains('readonly')), true);
    await page.close();
  });
});

describe('channels', () => {
  test('rename a channel; shift, move and remove a mapping', async () => {
    const page = await openPage(browser);
    await page.goto(`${locked.url}/#/channels`);
    await page.evaluate(() => sessionStorage.setItem('epg.admin-token', 's3cret'));
    await page.reload();
    const row = (name) => page.locator('article.row', { has: page.locator('strong', { hasText: name }) });
    await row('EnerGeek Radio TV').getByLabel('Name of channel 4').fill('Radio Energeek');
    await row('EnerGeek Radio TV').getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved channel 4.').waitFor();
    await row('Radio Energeek').waitFor();

    await row('EnerGeek 4').getByRole('button', { name: 'Mappings' }).click();
    const mappings = row('EnerGeek 4').locator('.mappings');
    await mappings.getByRole('cell', { name: 'energeek', exact: true }).waitFor();
    await mappings.getByLabel('Time shift of EnerGeek 4').fill('60');
    await mappings.getByRole('button', { name: 'Set' }).click();
    await page.getByText('Shift saved.').waitFor();
    const mapped = async (id) => (await (await fetch(`${locked.url}/api/v1/channels/${id}/mappings`)).json());
    const list = (m) => (Array.isArray(m) ? m : m.items);
    assert.deepEqual(list(await mapped(1)).map((m) => [m.provider_channel_id, m.time_shift_minutes]), [['EnerGeek 4', 60]]);

    await mappings.getByLabel('Move EnerGeek 4 to channel').fill('2');
    await mappings.getByRole('button', { name: 'Move', exact: true }).click();
    await page.getByText('Moved to channel 2.').waitFor();
    await mappings.getByText('No provider channel feeds this channel.').waitFor();
    assert.deepEqual(list(await mapped(2)).map((m) => [m.provider_channel_id, m.time_shift_minutes, m.manual]).sort(),
      [['EnerGeek 4', 60, true], ['EnerGeek Animate', 0, false]]);

    await row('EnerGeek Animate').getByRole('button', { name: 'Mappings' }).click();
    const animate = row('EnerGeek Animate').locator('.mappings');
    await animate.getByRole('cell', { name: 'EnerGeek 4', exact: true }).waitFor();
    assert.deepEqual(await axe(page), []);
    await screenshot(page, 'mappings-1440x900');
    await animate.locator('tr', { hasText: 'EnerGeek 4' }).getByRole('button', { name: 'Remove' }).click();
    await page.getByText('Mapping removed.').waitFor();
    assert.deepEqual(list(await mapped(2)).map((m) => m.provider_channel_id), ['EnerGeek Animate']);
    assertClean(page);
    await page.close();
  });
});

describe('every page', () => {
  for (const [name, path] of [['guide', '#/guide'], ['providers', '#/providers'], ['channels', '#/channels'], ['media', '#/media']]) {
    test(`${name} has no serious accessibility violations at both sizes`, async () => {
      for (const [label, size] of Object.entries(sizes)) {
        const page = await openPage(browser, size);
        await page.goto(`${open.url}/${path}`);
        await page.locator('main h1, main .prog').first().waitFor();
        await page.waitForLoadState('networkidle');
        assert.deepEqual(await axe(page), [], `${name} ${label}`);
        await screenshot(page, `${name}-${size.width}x${size.height}`);
        assertClean(page);
        await page.close();
      }
    });
  }

  test('media servers get the XMLTV URLs and the service health', async () => {
    const page = await openPage(browser);
    await page.goto(`${open.url}/#/media`);
    assert.equal(await page.getByLabel('XMLTV', { exact: true }).inputValue(), `${open.url}/xmltv.xml`);
    assert.equal(await page.getByLabel('XMLTV (gzip)').inputValue(), `${open.url}/xmltv.xml.gz`);
    await page.getByLabel('Channel ids').fill('1, 2');
    assert.equal(await page.getByLabel('Custom URL').inputValue(), `${open.url}/api/v1/xmltv.gz?channels=1%2C2&days=3`);
    await page.getByText('Schema version').waitFor();
    const res = await fetch(await page.getByLabel('Custom URL').inputValue());
    assert.equal(res.status, 200);
    await page.close();
  });
});

