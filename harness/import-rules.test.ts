/**
 * Which folder may import which (after Playwright's DEPS.list), checked over every TypeScript file.
 * The layers of ../shared/DESIGN.md: protocol libraries import no server, fixture or agent code; the virtual
 * device reaches the harness only over the network; suites use only fixtures and scripting; nothing imports suites.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Folder (longest prefix wins) → folders and files it may import besides itself. */
const allowed: Record<string, string[]> = {
  'harness/errors.ts': [],
  'harness/syncml': ['harness/errors.ts'],
  'harness/pki': ['harness/errors.ts'],
  'harness/csp': ['harness/errors.ts'],
  'harness/enrollment': ['harness/errors.ts', 'harness/pki', 'harness/csp', 'harness/syncml'],
  'harness/server': ['harness/errors.ts', 'harness/syncml', 'harness/pki', 'harness/csp', 'harness/enrollment'],
  'harness/scripting': ['harness/errors.ts', 'harness/syncml', 'harness/csp', 'harness/server'],
  'harness/report': ['harness/errors.ts', 'harness/csp'],
  'harness/cli': ['harness', 'agents', 'fixtures'],
  // The reliability campaign drives a real server and the virtual device (over the network) from outside.
  'harness/campaign': ['harness', 'fixtures/virtual-device'],
  'harness/import-rules.test.ts': [],
  'harness/errors.test.ts': ['harness'],
  agents: ['harness/errors.ts'],
  'fixtures/virtual-device': [
    'harness/errors.ts',
    'harness/syncml',
    'harness/csp',
    'harness/pki',
    'agents/probe-invocation.ts',
    'agents/probe-schemas.ts',
    'agents/probe-catalog.ts',
  ],
  fixtures: ['harness', 'agents', 'fixtures'],
  suites: ['fixtures', 'harness/scripting', 'harness/syncml/types.ts'],
  benchmarks: ['harness', 'fixtures', 'agents'],
  scripts: ['harness', 'agents', 'fixtures'],
};

/** Test files may also use what their layer's tests need to stand up a peer (a real server, a real device). */
const allowedInTests: Record<string, string[]> = {
  // The probes' answers must read as the profile says through the harness's own reading (agents/secured-core.ts).
  'fixtures/virtual-device': ['harness', 'agents/secured-core.ts'],
  agents: ['fixtures/virtual-device', 'harness'],
  'harness/server': ['harness/scripting'],
};

const skipDirs = new Set(['node_modules', 'results', 'test-results', 'playwright-report', '.state', '.git']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skipDirs.has(entry.name) ? [] : sourceFiles(path);
    return /\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

function layerOf(file: string): string | undefined {
  return Object.keys(allowed)
    .filter((prefix) => file === prefix || file.startsWith(prefix + '/'))
    .sort((a, b) => b.length - a.length)[0];
}

function within(target: string, prefixes: string[]): boolean {
  return prefixes.some((p) => target === p || target.startsWith(p + '/'));
}

const importPattern = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

export interface SourceText {
  /** Path relative to the project root, with forward slashes. */
  file: string;
  text: string;
}

export function importViolations(sources: SourceText[]): string[] {
  const violations: string[] = [];
  for (const { file, text } of sources) {
    const layer = layerOf(file);
    const isTest = /\.test\.ts$/.test(file) || file.includes('/test-support/');
    for (const match of text.matchAll(importPattern)) {
      const specifier = match[1] ?? match[2];
      if (specifier === undefined || !specifier.startsWith('.')) continue;
      const target = join(dirname(file), specifier).replace(/\.js$/, '.ts');
      if (target.startsWith('suites/') && !file.startsWith('suites/')) {
        violations.push(`${file} imports ${target}: nothing may import suites/`);
        continue;
      }
      if (layer === undefined) continue;
      // A layer that is a folder may import itself; a layer that is one file may import only what it lists.
      const own = layer.endsWith('.ts') ? [] : [layer];
      const permitted = [...own, ...(allowed[layer] ?? []), ...(isTest ? (allowedInTests[layer] ?? []) : [])];
      if (!within(target, permitted)) {
        violations.push(`${file} imports ${target}: ${layer} may import only ${permitted.join(', ') || 'packages'}`);
      }
    }
  }
  return violations;
}

test('every import respects the layer rules of DESIGN.md', () => {
  const sources = ['harness', 'agents', 'fixtures', 'suites', 'benchmarks', 'scripts'].flatMap((dir) => {
    try {
      return sourceFiles(join(root, dir));
    } catch {
      return [];
    }
  });
  assert.ok(sources.length > 10, `expected the project's source files, found ${sources.length}`);
  const texts = sources
    .map((path) => ({ file: relative(root, path), text: readFileSync(path, 'utf8') }))
    // This file's own examples of forbidden imports sit in string literals; they are not imports.
    .filter(({ file }) => file !== 'harness/import-rules.test.ts');
  assert.deepEqual(importViolations(texts), []);
});

test('the rule check catches a protocol library importing the server, and anything importing suites', () => {
  assert.deepEqual(
    importViolations([
      { file: 'harness/syncml/probe.ts', text: "import { startMdmServer } from '../server/index.js';\n" },
      { file: 'fixtures/any.ts', text: "const m = await import('../suites/dmclient/poll.spec.js');\n" },
      { file: 'fixtures/virtual-device/x.ts', text: "export { engine } from '../../harness/server/session/engine.js';\n" },
      { file: 'harness/syncml/ok.ts', text: "import type { DmcError } from '../errors.js';\nimport { a } from './types.js';\n" },
    ]),
    [
      'harness/syncml/probe.ts imports harness/server/index.ts: harness/syncml may import only harness/syncml, harness/errors.ts',
      'fixtures/any.ts imports suites/dmclient/poll.spec.ts: nothing may import suites/',
      'fixtures/virtual-device/x.ts imports harness/server/session/engine.ts: fixtures/virtual-device may import only fixtures/virtual-device, harness/errors.ts, harness/syncml, harness/csp, harness/pki, agents/probe-invocation.ts, agents/probe-schemas.ts, agents/probe-catalog.ts',
    ],
  );
});
