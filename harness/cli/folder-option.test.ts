import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { prepareFolderOption } from './folder-option.js';

const scratch = mkdtempSync(join(tmpdir(), 'dmc-folder-option-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const aFile = join(scratch, 'a-file');
writeFileSync(aFile, 'in the way\n');

describe('prepareFolderOption', () => {
  it('makes the missing folders with the mode asked, and takes a folder that exists as it is', async () => {
    const nested = join(scratch, 'made', 'state');
    await prepareFolderOption('--state-dir', nested, { mode: 0o700 });
    assert.equal(statSync(nested).mode & 0o777, 0o700);
    assert.equal(statSync(join(scratch, 'made')).mode & 0o777, 0o700);
    await prepareFolderOption('--state-dir', nested, { mode: 0o700 });
    await prepareFolderOption('--output', scratch);
  });

  it('names the option, the path and the part in the way: a file at the path or above it, a broken link', async () => {
    const dangling = join(scratch, 'dangling');
    symlinkSync(join(scratch, 'nothing-here'), dangling);
    const cases: Array<[string, string]> = [
      [aFile, `${aFile} is a file, not a folder`],
      [join(aFile, 'x', 'y'), `${aFile} is a file, not a folder`],
      [join(dangling, 'x'), `${dangling} is a symbolic link to nothing that exists`],
    ];
    for (const [path, reason] of cases) {
      await assert.rejects(prepareFolderOption('--data-dir', path), {
        code: 'DMC_ERR_CLI_FOLDER_UNUSABLE',
        message: `option --data-dir: ${JSON.stringify(path)} cannot be used as a folder: ${reason}`,
      });
    }
    assert.equal(existsSync(join(scratch, 'nothing-here')), false, 'nothing made through the broken link');
  });

  // Node 20's recursive mkdir spins at full CPU on this path and never settles; the walk must end with an error.
  it('ends with an error where the file system allows no folder (/proc)', { skip: !existsSync('/proc/self'), timeout: 10_000 }, async () => {
    await assert.rejects(prepareFolderOption('--data-dir', '/proc/dmc-no-such/x'), {
      code: 'DMC_ERR_CLI_FOLDER_UNUSABLE',
      message: 'option --data-dir: "/proc/dmc-no-such/x" cannot be used as a folder: mkdir /proc/dmc-no-such: ' +
        'the file system does not let a folder be made there (ENOENT)',
    });
  });
});

describe('dmc verbs given a folder that cannot be used', () => {
  const dmc = new URL('../../bin/dmc.mjs', import.meta.url).pathname;
  const inventory = new URL('../../fixtures/targets/examples/virtual-all-profiles.yaml', import.meta.url).pathname;
  const bad = join(aFile, 'x');
  const verbs: Array<[string, string[]]> = [
    ['--data-dir', ['server', '--port', '0', '--user', 'u', '--password', 'p', '--data-dir', bad]],
    ['--state-dir', ['virtual-device', '--discovery-url', 'https://127.0.0.1:9/d', '--user', 'u', '--password', 'p', '--state-dir', bad]],
    ['--output', ['run', '--inventory', inventory, '--output', bad]],
  ];
  for (const [option, args] of verbs) {
    it(`dmc ${args[0]}: one line naming ${option}, exit 2, before anything starts`, { timeout: 60_000 }, () => {
      const run = spawnSync(process.execPath, [dmc, ...args], { encoding: 'utf8', timeout: 50_000 });
      assert.equal(run.stderr, `dmc: option ${option}: ${JSON.stringify(bad)} cannot be used as a folder: ${aFile} is a file, ` +
        'not a folder [DMC_ERR_CLI_FOLDER_UNUSABLE]\n');
      assert.equal(run.status, 2);
      assert.equal(run.stdout, '');
    });
  }
});
