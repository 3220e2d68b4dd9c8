/**
 * results.json → conformance.html: one self-contained page (inline CSS and JS, no external asset, so it can be
 * archived or mailed as one file) with the node × target matrix, a text filter, verdict checkboxes, and the
 * details of every test (with the facts it rests on and their confidence) with relative links to its SyncML transcript and agent calls. A pure function of the
 * model; every text from the model is HTML-escaped, and link targets are URI-encoded per path segment.
 */
import { buildMatrix, type MatrixCell, type MatrixRow } from './matrix.js';
import { CONFIDENCES, type Confidence, type Results, type TestEntry, type Verdict } from './results-model.js';
import { SEVERITY } from './verdict.js';

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const e = escapeHtml;

/** A results-relative path as an href: each segment URI-encoded, so names with spaces or `#` still resolve. */
export function relativeHref(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

const LABEL: Record<Verdict, string> = {
  'device-error': 'device error',
  failed: 'failed',
  timeout: 'timeout',
  'harness-error': 'harness error',
  fixed: 'fixed',
  'expected-failure': 'expected failure',
  passed: 'passed',
  'not-applicable': 'not applicable',
  unconfirmed: 'unconfirmed',
};

/**
 * The confidence marker after a test ID in a cell: the weakest confidence of the facts the test rests on
 * (docs/reference/README.md). A test that names no fact gets "–", so a gap in the fact base shows too.
 */
const CONFIDENCE_MARK: Record<Confidence, string> = { assumed: 'A', observed: 'O', documented: 'D' };
const CONFIDENCE_TEXT: Record<Confidence, string> = {
  assumed: 'assumed: rests on at least one fact no Microsoft text states and no real device has shown',
  observed: 'observed: its weakest fact was seen on a real device (build recorded in the fact base)',
  documented: 'documented: every fact it rests on is stated by the DMClient article, the DDF or another Microsoft document',
};

function confidenceMark(confidence: Confidence | undefined): string {
  if (confidence === undefined) return '<sup class="conf c-none" title="names no fact">–</sup>';
  return `<sup class="conf c-${confidence}" title="${e(CONFIDENCE_TEXT[confidence])}">${CONFIDENCE_MARK[confidence]}</sup>`;
}

const ATTACHMENT_LABEL: Record<string, string> = {
  'syncml-transcript': 'SyncML transcript',
  'agent-calls': 'agent output',
};

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;margin:1.5em 0 .5em}h3{font-size:1em;margin:0 0 .4em}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
.matrix th[scope=row]{font-family:ui-monospace,monospace;font-weight:normal;font-size:12px}
.matrix tr.group th{background:#eee;font-weight:600}
.matrix td{min-width:7em}.matrix td a{display:block;font-size:12px;color:inherit}
td.none{color:#999;text-align:center}td.dim{opacity:.25}
.v-passed{background:#c8ecc8}.v-failed{background:#f4b4b4}.v-device-error{background:#d9a0e6}
.v-harness-error{background:#ffd08a}.v-timeout{background:#ffe98a}.v-expected-failure{background:#d6dcec}
.v-fixed{background:#9fd8f0}.v-not-applicable{background:#f1f1f1;color:#666}
.v-unconfirmed{background:repeating-linear-gradient(135deg,#f4b4b4 0 5px,#fff3f3 5px 10px)}
sup.conf{font:600 9px ui-monospace,monospace;margin-left:2px;padding:0 2px;border-radius:2px;border:1px solid #888}
.c-assumed{background:#fff;color:#b00}.c-observed{background:#fff;color:#05a}.c-documented{background:#fff;color:#262}.c-none{color:#999}
.legend{font-size:12px;color:#444;margin:.3em 0}
.controls{margin:1em 0;display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center}
.controls label{padding:2px 6px;border-radius:3px}#filter{width:24em;padding:3px}
section.test{border:1px solid #ccc;border-left-width:6px;padding:.5em .8em;margin:.6em 0}
section.test:target{outline:2px solid #0366d6}dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em;margin:0}
dt{color:#555}dd{margin:0}pre{white-space:pre-wrap;margin:0;font-size:12px}code{font-size:12px}
.warn{color:#8a4b00}
`;

const SCRIPT = `
(function(){
  var filter=document.getElementById('filter');
  var boxes=Array.prototype.slice.call(document.querySelectorAll('input[data-verdict-toggle]'));
  function apply(){
    var q=filter.value.trim().toLowerCase();
    var on={};boxes.forEach(function(b){if(b.checked)on[b.value]=true;});
    document.querySelectorAll('tbody[data-group]').forEach(function(group){
      var shown=0;
      group.querySelectorAll('tr[data-search]').forEach(function(row){
        var vs=row.getAttribute('data-verdicts').split(' ');
        var ok=row.getAttribute('data-search').indexOf(q)>=0&&vs.some(function(v){return on[v];});
        row.hidden=!ok;if(ok)shown++;
      });
      group.hidden=shown===0;
    });
    document.querySelectorAll('td[data-verdict]').forEach(function(cell){
      cell.classList.toggle('dim',!on[cell.getAttribute('data-verdict')]);
    });
    document.querySelectorAll('section[data-search]').forEach(function(s){
      s.hidden=!(s.getAttribute('data-search').indexOf(q)>=0&&on[s.getAttribute('data-verdict')]);
    });
  }
  filter.addEventListener('input',apply);
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  apply();
})();
`;

function renderCell(cell: MatrixCell | undefined, tests: readonly TestEntry[]): string {
  if (cell === undefined) return '<td class="none">–</td>';
  const links = cell.tests
    .map((t) => {
      const confidence = tests[t.index]?.confidence;
      const title = `${t.id}: ${LABEL[t.verdict]}${confidence === undefined ? '' : `, ${confidence}`} — ${tests[t.index]?.title ?? ''}`;
      return `<a href="#test-${t.index}" class="v-${t.verdict}" title="${e(title)}">${e(t.id)}${confidenceMark(confidence)}</a>`;
    })
    .join('');
  return `<td class="v-${cell.verdict}" data-verdict="${cell.verdict}" title="${e(LABEL[cell.verdict])}">${links}</td>`;
}

function renderRow(row: MatrixRow, tests: readonly TestEntry[]): string {
  const search = [row.node, ...row.testIds].join(' ').toLowerCase();
  return (
    `<tr data-search="${e(search)}" data-verdicts="${row.verdicts.join(' ')}">` +
    `<th scope="row">${e(row.node)}</th>${row.cells.map((c) => renderCell(c, tests)).join('')}</tr>`
  );
}

function field(name: string, value: string | undefined, raw = false): string {
  if (value === undefined || value === '') return '';
  return `<dt>${e(name)}</dt><dd>${raw ? value : e(value)}</dd>`;
}

function renderTest(test: TestEntry, index: number): string {
  const search = [test.id, test.title, ...test.ddfNodes].join(' ').toLowerCase();
  const attachments = test.attachments
    .map((a) => `<a href="${e(relativeHref(a.path))}">${e(ATTACHMENT_LABEL[a.name] ?? a.name)}</a>`)
    .join(' · ');
  const error =
    test.error === undefined
      ? undefined
      : `<pre>${e(test.error.message)}</pre>` +
        (test.error.code === undefined ? '' : `<code>${e(test.error.code)}</code>`) +
        (test.error.location === undefined ? '' : ` at <code>${e(test.error.location)}</code>`);
  return (
    `<section class="test v-${test.verdict}" id="test-${index}" data-verdict="${test.verdict}" data-search="${e(search)}">` +
    `<h3>${e(test.id)} — ${e(test.title)}</h3><dl>` +
    field('verdict', LABEL[test.verdict]) +
    field('target', test.target) +
    field('Windows build', test.windowsBuild) +
    field('location', `${test.file}:${test.line}`) +
    field('DDF nodes', test.ddfNodes.map((n) => `<code>${e(n)}</code>`).join('<br>'), true) +
    field('reference', test.reference) +
    field('spec conflict', test.specConflicts.map(e).join('<br>'), true) +
    field('tags', test.tags.join(' ')) +
    field('not applicable', test.notApplicableReason) +
    field('expectation', test.expectation) +
    field('confidence', test.confidence) +
    field('facts', (test.facts ?? []).map((f) => `<code>${e(f.id)}</code> (${e(f.confidence)})`).join('<br>'), true) +
    field('observed', test.observed === undefined ? undefined : `<pre>${e(test.observed)}</pre>`, true) +
    field('duration', `${Math.round(test.durationMs)} ms`) +
    field('sessions', test.sessions?.toString()) +
    field('retry', test.retry > 0 ? String(test.retry) : undefined) +
    field('error', error, true) +
    field('attachments', attachments, true) +
    `</dl></section>`
  );
}

function renderRun(results: Results): string {
  const run = results.run;
  const shard = run.shard === null ? undefined : `${run.shard.current}/${run.shard.total}`;
  const merged = run.mergedFrom?.map((m) => m.file).join(', ');
  const warnings =
    run.warnings.length === 0
      ? ''
      : `<h2>Warnings</h2><ul class="warn">${run.warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul>`;
  return (
    `<dl>${field('harness', run.harnessVersion)}${field('Playwright', run.playwrightVersion)}` +
    `${field('started', run.startedAt)}${field('ended', run.endedAt)}${field('run status', run.status)}` +
    `${field('shard', shard)}${field('merged from', merged)}${field('inventory', run.inventoryFile)}` +
    `${field('command', run.commandLine.join(' '))}</dl>${warnings}`
  );
}

export function renderMatrixHtml(results: Results): string {
  const matrix = buildMatrix(results);
  const head = matrix.targets
    .map((t) => {
      const facts = [t.kind, t.profile, t.windowsBuild, `${t.sessions} sessions`].filter((f) => f !== undefined);
      return `<th scope="col">${e(t.name)}<br><small>${e(facts.join(' · '))}</small></th>`;
    })
    .join('');
  const totals = SEVERITY.map(
    (v) => `<tr><th scope="row" class="v-${v}">${e(LABEL[v])}</th>${matrix.counts.map((c) => `<td>${c[v]}</td>`).join('')}</tr>`,
  ).join('');
  const boxes = SEVERITY.map(
    (v) => `<label class="v-${v}"><input type="checkbox" data-verdict-toggle value="${v}" checked> ${e(LABEL[v])}</label>`,
  ).join('');
  const columns = matrix.targets.length + 1;
  const body = matrix.groups
    .map(
      (g) =>
        `<tbody data-group="${e(g.name)}"><tr class="group"><th colspan="${columns}">${e(g.name)}</th></tr>` +
        g.rows.map((r) => renderRow(r, results.tests)).join('') +
        `</tbody>`,
    )
    .join('');
  const details = results.tests
    .map((test, index) => ({ test, index }))
    .sort((a, b) => a.test.id.localeCompare(b.test.id) || a.test.target.localeCompare(b.test.target))
    .map(({ test, index }) => renderTest(test, index))
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>DMClient conformance</title><style>${STYLE}</style></head>
<body>
<h1>DMClient conformance</h1>
${renderRun(results)}
<h2>Totals</h2>
<table class="totals"><thead><tr><th></th>${head}</tr></thead><tbody>${totals}</tbody></table>
<h2>Matrix</h2>
<div class="controls"><label>Filter by DDF node or test id <input id="filter" type="search"></label>${boxes}</div>
<p class="legend">After each test ID, the weakest confidence of the facts it rests on: ${CONFIDENCES.map((c) => `${confidenceMark(c)} ${e(CONFIDENCE_TEXT[c])}`).join('; ')}; ${confidenceMark(undefined)} names no fact. A failure on a real device that rests on an assumed fact is <span class="v-unconfirmed">unconfirmed</span>: a correction to confirm, not a pass.</p>
<table class="matrix"><thead><tr><th scope="col">DDF node</th>${head}</tr></thead>${body}</table>
<h2>Tests</h2>
${details}
<script>${SCRIPT}</script>
</body></html>
`;
}
