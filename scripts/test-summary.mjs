// Prints one closing line for CI, "tests: N passed, N failed, N skipped", summed over the JUnit files of the
// unit tests and the Playwright suites, so a reader of the CI log sees the whole count in one place.
import { existsSync, readFileSync } from 'node:fs';

const files = process.argv.slice(2).filter((file) => existsSync(file));
let tests = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  const xml = readFileSync(file, 'utf8');
  // Count <testcase> elements and their outcomes: the totals on <testsuites> differ between reporters.
  for (const match of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    tests += 1;
    const body = match[2] ?? '';
    if (/<(failure|error)\b/.test(body)) failed += 1;
    else if (/<skipped\b/.test(body)) skipped += 1;
  }
}
if (files.length === 0) {
  console.error('test-summary: no JUnit file found among ' + process.argv.slice(2).join(', '));
  process.exit(1);
}
console.log(`tests: ${tests - failed - skipped} passed, ${failed} failed, ${skipped} skipped`);
