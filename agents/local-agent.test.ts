import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalAgent, findPowerShell } from './local-agent.js';
import { errors } from './errors.js';

test('without PowerShell on the PATH the local agent fails at once with a clear DmcError', () => {
  const empty = mkdtempSync(join(tmpdir(), 'dmc-no-pwsh-'));
  try {
    assert.throws(() => new LocalAgent({ env: { PATH: empty }, platform: 'linux' }), (err: unknown) => {
      assert.ok(errors.DMC_ERR_AGENT_POWERSHELL_NOT_FOUND.is(err));
      assert.equal(err.message, 'PowerShell was not found on this machine (looked for pwsh, powershell on PATH); the local target needs Windows PowerShell 5.1 or pwsh');
      assert.ok(!String(err.stack).includes('spawn'), 'no spawn was attempted');
      return true;
    });
    assert.throws(() => new LocalAgent({ env: { PATH: empty }, platform: 'win32' }), {
      message: 'PowerShell was not found on this machine (looked for powershell.exe, pwsh.exe on PATH); the local target needs Windows PowerShell 5.1 or pwsh',
    });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('this machine has no PowerShell, and the default LocalAgent says so', (t) => {
  if (!('tried' in findPowerShell())) return t.skip('a PowerShell is installed here');
  assert.throws(() => new LocalAgent(), { code: 'DMC_ERR_AGENT_POWERSHELL_NOT_FOUND' });
});

test('findPowerShell takes the first executable on the PATH and ignores non-executable files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmc-pwsh-'));
  const other = mkdtempSync(join(tmpdir(), 'dmc-pwsh-'));
  try {
    writeFileSync(join(dir, 'pwsh'), '#!/bin/sh\n');
    chmodSync(join(dir, 'pwsh'), 0o644);
    writeFileSync(join(other, 'pwsh'), '#!/bin/sh\n');
    chmodSync(join(other, 'pwsh'), 0o755);
    assert.deepEqual(findPowerShell({ env: { PATH: `${dir}:${other}` }, platform: 'linux' }), { path: join(other, 'pwsh') });
    assert.deepEqual(findPowerShell({ executable: join(other, 'pwsh'), platform: 'linux' }), { path: join(other, 'pwsh') });
    assert.deepEqual(findPowerShell({ executable: join(dir, 'missing'), platform: 'linux' }), { tried: [join(dir, 'missing')] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});
