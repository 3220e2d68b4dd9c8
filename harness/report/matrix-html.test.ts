/**
 * The matrix as data (rows per group and node, worst verdict per cell) and its HTML: self-contained, escaped,
 * with a filter box, verdict checkboxes, and cells linking to each test's details and attachments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMatrix, NO_NODE } from './matrix.js';
import { escapeHtml, relativeHref, renderMatrixHtml } from './matrix-html.js';
import { makeResults, makeTarget, makeTest, POLL } from './test-support/results-builder.js';

const RETRIES = `${POLL}/NumberOfFirstRetries`;
const results = makeResults(
  [
    makeTest({ id: 'DMC-POLL-001', verdict: 'passed', facts: [{ id: 'poll.retries-read-back', confidence: 'documented' }], confidence: 'documented', attachments: [{ name: 'syncml-transcript', contentType: 'application/json', path: 'attachments/DMC-POLL-001/virtual-a/syncml-transcript.json' }] }),
    makeTest({ id: 'DMC-POLL-002', verdict: 'failed', error: { message: 'expected <16> & got "15"' } }),
    makeTest({ id: 'DMC-POLL-001', target: 'lab pc', verdict: 'not-applicable', notApplicableReason: 'requires TPM 2.0' }),
    makeTest({
      id: 'DMC-POLL-003',
      target: 'lab pc',
      verdict: 'unconfirmed',
      facts: [{ id: 'poll.retries-read-back', confidence: 'documented' }, { id: 'poll.task-trigger', confidence: 'assumed' }],
      confidence: 'assumed',
      error: { message: 'task trigger\nExpected: 15\nReceived: 30' },
      observed: 'Expected: 15\nReceived: 30',
    }),
    makeTest({ id: 'DMC-SEC-001', tags: ['group:security'], ddfNodes: ['./Device/<script>alert(1)</script>'], verdict: 'device-error' }),
    makeTest({ id: 'DMC-MISC-001', tags: [], ddfNodes: [], verdict: 'timeout' }),
  ],
  [makeTarget({ name: 'virtual-a', windowsBuild: '10.0.22631' }), makeTarget({ name: 'lab pc', kind: 'ssh', sessions: 4 })],
);

test('rows are DDF nodes grouped by group tag, columns are targets, a cell shows its worst verdict', () => {
  const matrix = buildMatrix(results);
  assert.deepEqual(matrix.groups.map((g) => [g.name, g.rows.map((r) => r.node)]), [
    ['poll', [RETRIES]],
    ['security', ['./Device/<script>alert(1)</script>']],
    ['ungrouped', [NO_NODE]],
  ]);
  const row = matrix.groups[0]!.rows[0]!;
  assert.deepEqual(row.cells.map((c) => c?.verdict), ['failed', 'unconfirmed']);
  assert.deepEqual(row.cells[0]!.tests.map((t) => t.id), ['DMC-POLL-002', 'DMC-POLL-001']);
  assert.equal(matrix.groups[1]!.rows[0]!.cells[1], undefined);
  assert.deepEqual(matrix.counts[0], {
    'device-error': 1, failed: 1, timeout: 1, 'harness-error': 0, unconfirmed: 0, fixed: 0, 'expected-failure': 0, passed: 1, 'not-applicable': 0,
  });
  assert.equal(matrix.counts[1]!.unconfirmed, 1);
});

test('the page is one self-contained file with the cells, links, filter and verdict checkboxes', () => {
  const html = renderMatrixHtml(results);
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'no external asset');
  assert.doesNotMatch(html, /https?:\/\//, 'no absolute URL');
  assert.match(html, /<input id="filter" type="search"/);
  for (const verdict of ['passed', 'failed', 'not-applicable', 'expected-failure', 'fixed', 'device-error', 'harness-error', 'timeout', 'unconfirmed']) {
    assert.ok(html.includes(`<input type="checkbox" data-verdict-toggle value="${verdict}" checked>`), verdict);
  }
  // The poll row: a failed cell on virtual-a linking both tests, a not-applicable cell on the lab PC.
  assert.ok(html.includes(`<tr data-search="${RETRIES.toLowerCase()} dmc-poll-001 dmc-poll-002 dmc-poll-003" data-verdicts="passed failed not-applicable unconfirmed">`));
  assert.match(html, /<td class="v-failed" data-verdict="failed" title="failed"><a href="#test-1" class="v-failed"[^>]*>DMC-POLL-002<sup class="conf c-none" title="names no fact">–<\/sup><\/a><a href="#test-0" class="v-passed"[^>]*>DMC-POLL-001<sup class="conf c-documented"[^>]*>D<\/sup>/);
  // The lab PC's cell: the unconfirmed test leads (striped), its A marker says it rests on an assumed fact.
  assert.match(html, /<td class="v-unconfirmed" data-verdict="unconfirmed" title="unconfirmed"><a href="#test-3" class="v-unconfirmed" title="DMC-POLL-003: unconfirmed, assumed — checks DMC-POLL-003">DMC-POLL-003<sup class="conf c-assumed"[^>]*>A<\/sup><\/a><a href="#test-2" class="v-not-applicable"/);
  assert.match(html, /\.v-unconfirmed\{background:repeating-linear-gradient/);
  assert.match(html, /<p class="legend">After each test ID, the weakest confidence[^\n]*>A<\/sup> assumed: [^\n]*>O<\/sup> observed: [^\n]*>D<\/sup> documented: /);
  // The details name the facts and what the device showed.
  assert.ok(html.includes('<dt>facts</dt><dd><code>poll.retries-read-back</code> (documented)<br><code>poll.task-trigger</code> (assumed)</dd>'));
  assert.ok(html.includes('<dt>observed</dt><dd><pre>Expected: 15\nReceived: 30</pre></dd>'));
  assert.ok(html.includes('<section class="test v-passed" id="test-0"'));
  assert.ok(html.includes('<a href="attachments/DMC-POLL-001/virtual-a/syncml-transcript.json">SyncML transcript</a>'));
  assert.ok(html.includes('lab pc<br><small>ssh · 4 sessions</small>'));
});

test('every text from the results is escaped', () => {
  const html = renderMatrixHtml(results);
  assert.ok(!html.includes('<script>alert(1)'));
  assert.ok(html.includes('./Device/&lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('<pre>expected &lt;16&gt; &amp; got &quot;15&quot;</pre>'));
  assert.equal(escapeHtml(`<a href='x'>&"`), '&lt;a href=&#39;x&#39;&gt;&amp;&quot;');
  assert.equal(relativeHref('attachments/DMC #1/lab pc/a?.json'), 'attachments/DMC%20%231/lab%20pc/a%3F.json');
  // The only script is the page's own inline one.
  assert.equal(html.match(/<script>/g)?.length, 1);
});
