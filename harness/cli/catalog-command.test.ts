import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { Command } from 'commander';
import { registerCatalogCommand } from './catalog-command.js';

function run(args: string[]): string {
  const program = new Command('dmc').exitOverride();
  let out = '';
  registerCatalogCommand(program, { write: (text) => (out += text) });
  program.parse(args, { from: 'user' });
  return out;
}

describe('dmc catalog', () => {
  test('--json prints one object per node, each with the same keys', () => {
    const nodes = JSON.parse(run(['catalog', '--json'])) as Array<Record<string, unknown>>;
    assert.equal(nodes.length, 109);
    for (const key of ['path', 'scope', 'accessTypes', 'format', 'defaultValue', 'allowedValues', 'applicability', 'description']) {
      assert.ok(nodes.every((n) => key in n), key);
    }
    const retries = nodes.find((n) => n.path === './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/Poll/NumberOfFirstRetries');
    assert.deepEqual(
      [retries?.accessTypes, retries?.format, retries?.defaultValue, retries?.allowedValues, retries?.applicability, retries?.scope],
      [['Add', 'Delete', 'Get', 'Replace'], 'int', null, { kind: 'none' }, null, 'Device'],
    );
    const cadence = nodes.find((n) => n.path === './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/ConfigRefresh/Cadence');
    assert.deepEqual([cadence?.defaultValue, cadence?.allowedValues], ['90', { kind: 'range', min: 30, max: 1440, asWritten: '[30-1440]' }]);
  });

  test('--scope User keeps the user tree', () => {
    const nodes = JSON.parse(run(['catalog', '--json', '--scope', 'User'])) as Array<{ scope: string }>;
    assert.equal(nodes.length, 15);
    assert.ok(nodes.every((n) => n.scope === 'User'));
  });

  test('without --json prints a table of path, access and format', () => {
    const lines = run(['catalog']).trimEnd().split('\n');
    assert.equal(lines.length, 111);
    assert.match(lines[0] ?? '', /^PATH +ACCESS +FORMAT$/);
    assert.ok(
      lines.some((l) =>
        /^\.\/Device\/Vendor\/MSFT\/DMClient\/Provider\/\{ProviderID\}\/Recovery\/InitiateRecovery +Exec +int$/.test(l),
      ),
    );
    assert.equal(lines.at(-1), '109 nodes');
  });

  test('writes to process.stdout by default', () => {
    const program = new Command('dmc').exitOverride();
    registerCatalogCommand(program);
    let out = '';
    const original = process.stdout.write;
    process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
    try {
      program.parse(['catalog', '--json', '--scope', 'User'], { from: 'user' });
    } finally {
      process.stdout.write = original;
    }
    assert.equal((JSON.parse(out) as unknown[]).length, 15);
  });
});
