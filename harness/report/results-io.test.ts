/**
 * Reading results.json back, and keeping secrets out of it: each bad input ends in one line naming the file and
 * the field, asserted word for word because that line is what a user sees in a CI log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DmcError } from '../errors.js';
import { redactCommandLine, redactSecrets } from './redact.js';
import { parseResults, readResults, resultsText } from './results-io.js';
import { makeResults, makeTest } from './test-support/results-builder.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'dmc-report-io-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function thrown(fn: () => unknown): DmcError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DmcError, `expected a DmcError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an error');
}

test('a written results.json reads back equal', () => {
  withDir((dir) => {
    const results = makeResults([makeTest({ id: 'DMC-POLL-001', sessions: 2, windowsBuild: '10.0.22631' })]);
    writeFileSync(join(dir, 'results.json'), resultsText(results));
    assert.deepEqual(readResults(join(dir, 'results.json')), results);
  });
});

test('bad inputs name the file, and for a shape problem the field by its path', () => {
  withDir((dir) => {
    const missing = thrown(() => readResults(join(dir, 'nope.json')));
    assert.equal(missing.code, 'DMC_ERR_REPORT_FILE_UNREADABLE');
    assert.equal(missing.message, `Cannot read the results file ${join(dir, 'nope.json')}: no such file`);

    writeFileSync(join(dir, 'broken.json'), '{"format": ');
    assert.equal(thrown(() => readResults(join(dir, 'broken.json'))).code, 'DMC_ERR_REPORT_NOT_JSON');

    const other = thrown(() => parseResults({ config: {}, suites: [] }, 'pw-report.json'));
    assert.equal(
      other.message,
      'The file pw-report.json is not a conformance results.json: it has no field "format", expected "dmc-conformance-results"',
    );

    const results = makeResults([makeTest({ id: 'A' }), makeTest({ id: 'B' })]) as unknown as { tests: Array<Record<string, unknown>> };
    results.tests[1]!['verdict'] = 'pass';
    const shape = thrown(() => parseResults(results, 'old/results.json'));
    assert.equal(shape.code, 'DMC_ERR_REPORT_SCHEMA_MISMATCH');
    assert.equal(shape.fields['field'], 'tests[1].verdict');
    assert.equal(
      shape.message,
      'The results file old/results.json has a bad field tests[1].verdict: Invalid option: expected one of ' +
        '"passed"|"failed"|"not-applicable"|"expected-failure"|"fixed"|"device-error"|"harness-error"|"timeout"|"unconfirmed" (received "pass")',
    );
  });
});

test('secrets are removed from the inventory, and names of environment variables are kept', () => {
  const inventory = {
    targets: [
      { name: 'lab', kind: 'ssh', user: 'qa', password: 'hunter2', passwordEnv: 'LAB_PW', hostKey: 'SHA256:abc' },
      { name: 'pc', kind: 'ssh', privateKey: 'x', key: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAA\n-----END OPENSSH PRIVATE KEY-----' },
    ],
    server: { digestSecret: 's3cr3t', tokenTtl: null },
  };
  assert.deepEqual(redactSecrets(inventory), {
    targets: [
      { name: 'lab', kind: 'ssh', user: 'qa', password: '[redacted]', passwordEnv: 'LAB_PW', hostKey: 'SHA256:abc' },
      { name: 'pc', kind: 'ssh', privateKey: '[redacted]', key: '[redacted]' },
    ],
    server: { digestSecret: '[redacted]', tokenTtl: null },
  });
  assert.deepEqual(
    redactCommandLine(['dmc', 'server', '--user', 'u', '--password', 'P@ss', '--client-secret=abc', '--password-env', 'PW']),
    ['dmc', 'server', '--user', 'u', '--password', '[redacted]', '--client-secret=[redacted]', '--password-env', 'PW'],
  );
});
