// Runs every `*.test.ts` beside the code with node's test runner.
// Node 20's `--test` does not expand globs itself (that arrived in Node 21), so the files are found here.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const roots = ['harness', 'agents', 'fixtures', 'scripts', 'benchmarks'];
const skip = new Set(['node_modules', 'results', 'test-results', 'playwright-report', '.state']);

function findTests(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skip.has(entry.name) ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
const files = roots.flatMap(findTests).map((f) => relative('.', f)).sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error('run-unit-tests: no *.test.ts files found under ' + roots.join(', '));
  process.exit(1);
}
// Tests that start a whole Playwright run of many devices run after the others, one at a time: with two cores,
// sharing the machine with other test files made their device sessions miss timeouts now and then.
const RUN_ALONE = new Set(['scripts/mutation-test.test.ts']);

// Results also go to JUnit so CI can sum unit tests and suites into one closing line (scripts/test-summary.mjs).
const junit = process.env['DMC_UNIT_JUNIT'] ?? 'results/unit/junit.xml';
mkdirSync(dirname(junit), { recursive: true });

function runFiles(list, concurrency, junitFile) {
  if (list.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    [
      '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=junit', `--test-reporter-destination=${junitFile}`,
      ...list,
    ],
    { stdio: 'inherit' },
  );
  return result.status ?? 1;
}

const shared = runFiles(files.filter((f) => !RUN_ALONE.has(f)), 2, junit);
const alone = runFiles(files.filter((f) => RUN_ALONE.has(f)), 1, junit.replace(/\.xml$/, '-alone.xml'));
process.exit(shared !== 0 ? shared : alone);
