/**
 * conformance.html opened in a real browser (Debian's headless Chromium, which CI installs): the matrix cells show
 * each node's worst verdict per target, every cell link lands on its test's section, attachment links resolve to
 * files of the package, and the text filter and the verdict boxes hide what they should. A screenshot is kept
 * under results/matrix-browser/ (ignored by git) for a person to look at.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { chromium } from '@playwright/test';
import { writeResultsPackage } from './results-io.js';
import { HTML_FILE } from './results-model.js';
import { makeResults, makeTarget, makeTest, POLL } from './test-support/results-builder.js';

const CHROMIUM = '/usr/bin/chromium';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const screenshotDir = join(root, 'results', 'matrix-browser');
const RETRIES = `${POLL}/NumberOfFirstRetries`;
const INTERVAL = `${POLL}/IntervalForFirstSetOfRetries`;
const EXCHANGE = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/ExchangeID';

const dir = mkdtempSync(join(tmpdir(), 'dmc-matrix-browser-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const transcript = 'attachments/DMC-ACCESS-001/lab-pc/syncml-transcript.json';
const results = makeResults(
  [
    makeTest({ id: 'DMC-POLL-001', ddfNodes: [RETRIES], verdict: 'passed' }),
    makeTest({ id: 'DMC-POLL-002', ddfNodes: [RETRIES], verdict: 'passed', target: 'lab-pc' }),
    makeTest({ id: 'DMC-POLL-003', ddfNodes: [INTERVAL], verdict: 'not-applicable', notApplicableReason: 'requires TPM 2.0' }),
    makeTest({ id: 'DMC-POLL-004', ddfNodes: [INTERVAL], verdict: 'expected-failure', target: 'lab-pc', expectation: 'reads back 0' }),
    makeTest({ id: 'DMC-ACCESS-001', ddfNodes: [EXCHANGE], tags: ['group:access'], verdict: 'passed' }),
    makeTest({
      id: 'DMC-ACCESS-001', ddfNodes: [EXCHANGE], tags: ['group:access'], verdict: 'failed', target: 'lab-pc',
      error: { message: 'Error: Replace on a Get-only node: expected 405, received 200' },
      attachments: [{ name: 'syncml-transcript', contentType: 'application/json', path: transcript }],
    }),
  ],
  [makeTarget({ name: 'virtual-a', sessions: 4 }), makeTarget({ name: 'lab-pc', kind: 'ssh', sessions: 3, windowsBuild: '10.0.19045.5131' })],
);

test('the matrix works in headless Chromium: cells, links, filter', {
  skip: existsSync(CHROMIUM) ? false : `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium); CI installs it`,
  timeout: 60_000,
}, async () => {
  writeResultsPackage(dir, results);
  mkdirSync(join(dir, dirname(transcript)), { recursive: true });
  writeFileSync(join(dir, transcript), '[]');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const pageUrl = pathToFileURL(join(dir, HTML_FILE)).href;
    await page.goto(pageUrl);

    // One row per DDF node, one cell per target, each showing the worst verdict of its tests.
    const cells = await page.$$eval('table.matrix tr[data-search]', (rows) =>
      rows.map((row) => [row.querySelector('th')!.textContent, ...[...row.querySelectorAll('td')].map((td) => td.getAttribute('data-verdict') ?? 'none')]),
    );
    assert.deepEqual(cells.sort(), [
      [EXCHANGE, 'passed', 'failed'],
      [INTERVAL, 'not-applicable', 'expected-failure'],
      [RETRIES, 'passed', 'passed'],
    ].sort());

    // Every cell link lands on an existing test section; the failed test's section shows its error.
    const anchors = await page.$$eval('table.matrix td a', (links) => links.map((a) => a.getAttribute('href')!));
    assert.equal(anchors.length, results.tests.length);
    for (const href of anchors) assert.equal(await page.locator(href).count(), 1, `${href} names a section`);
    const failedLink = page.locator('table.matrix td.v-failed a', { hasText: 'DMC-ACCESS-001' });
    await failedLink.click();
    const section = page.locator(`section${await failedLink.getAttribute('href')}`);
    assert.match(await section.innerText(), /expected 405, received 200/);
    assert.ok(page.url().endsWith(String(await failedLink.getAttribute('href'))));

    // Attachment links resolve to files of the package.
    const attachmentHrefs = await section.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
    assert.deepEqual(attachmentHrefs, [transcript]);
    for (const href of attachmentHrefs) assert.ok(existsSync(fileURLToPath(new URL(href, pageUrl))), `${href} exists`);

    // The text filter keeps the rows whose node or test ID matches; a verdict box dims its cells.
    await page.fill('#filter', 'interval');
    const visibleRows = await page.$$eval('table.matrix tr[data-search]', (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).map((r) => r.querySelector('th')!.textContent));
    assert.deepEqual(visibleRows, [INTERVAL]);
    await page.fill('#filter', 'dmc-access');
    const afterId = await page.$$eval('table.matrix tr[data-search]', (rows) => rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).map((r) => r.querySelector('th')!.textContent));
    assert.deepEqual(afterId, [EXCHANGE]);
    await page.fill('#filter', '');
    await page.uncheck('input[data-verdict-toggle][value="passed"]');
    assert.equal(await page.locator('td.v-passed.dim').count(), await page.locator('td.v-passed').count());
    assert.equal(await page.locator('td.v-failed.dim').count(), 0);
    await page.check('input[data-verdict-toggle][value="passed"]');

    mkdirSync(screenshotDir, { recursive: true });
    await page.screenshot({ path: join(screenshotDir, 'conformance.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no script error on the page');
  } finally {
    await browser.close();
  }
});
