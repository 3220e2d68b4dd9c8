/**
 * A Playwright config without `projects` has one project named "". The reporter must still write results.json
 * (a target needs a name; it crashed on the schema before), with the target named and a warning saying why.
 * Driven through the reporter's own API with the few config and suite fields it reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FullConfig, FullResult, Suite } from '@playwright/test/reporter';
import ConformanceReporter, { UNNAMED_PROJECT } from './conformance-reporter.js';
import { readResults } from './results-io.js';

test('a config without projects is reported as one unnamed target', async () => {
  const out = mkdtempSync(join(tmpdir(), 'dmc-unnamed-project-'));
  try {
    const reporter = new ConformanceReporter({ outputDir: out });
    const projectSuite = { project: () => ({ name: '', metadata: {} }) };
    const config = { configFile: join(out, 'playwright.config.ts'), rootDir: out, version: '1.65.1', shard: null };
    reporter.onBegin(config as unknown as FullConfig, { suites: [projectSuite], allTests: () => [] } as unknown as Suite);
    await reporter.onEnd({ status: 'passed' } as FullResult);
    const results = readResults(join(out, 'results.json'));
    assert.deepEqual(results.targets.map((t) => [t.name, t.project, t.kind]), [[UNNAMED_PROJECT, '', 'unknown']]);
    assert.match(results.run.warnings[0] ?? '', /^project "": metadata\.target /);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
