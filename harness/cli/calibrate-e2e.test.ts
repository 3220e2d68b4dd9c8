/**
 * `dmc calibrate` end to end on the virtual device (issue #12, item 4): the device is a child process reached over
 * HTTPS and SSH only, exactly as a lab PC would be.
 * - calibrating a virtual device of a built-in profile writes that profile's data file again, except the fields
 *   calibration cannot observe (profile-schema.ts: name, source, calibration, and the event IDs it cannot provoke);
 * - a profile changed by hand (task name, event IDs, a node default, a node's registry placement, an extra registry
 *   value) changes what the virtual device does, and calibration reads each change back;
 * - a virtual device loaded from a calibrated file passes the identity, poll and first-sync-status suites;
 * - the same holds through an ssh target of a lab inventory (a device enrolled before calibration, whose harness
 *   data directory the server takes over, as with a lab PC).
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { PROFILE_DIR } from '../../fixtures/virtual-device/profiles.js';
import type { ProfileFile } from '../../fixtures/virtual-device/profile-schema.js';
import { readResults } from '../report/results-io.js';
import { calibrateTarget } from './calibrate-command.js';
import { registerRunCommand } from './run-command.js';
import { startVirtualLab } from './test-support/virtual-lab.js';

const dir = mkdtempSync(join(tmpdir(), 'dmc-calibrate-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const dataFile = (name: string): ProfileFile => JSON.parse(readFileSync(join(PROFILE_DIR, `${name}.json`), 'utf8')) as ProfileFile;

/** A profile without what calibration cannot observe (documented in profile-schema.ts). */
function observable(p: ProfileFile): unknown {
  const { name: _name, source: _source, calibration: _calibration, events, ...rest } = p;
  const { unenrolled: _u, configLockRemediated: _c, recovery: _r, linkedEnrollment: _l, ...seen } = events;
  return { ...rest, events: seen };
}

async function calibrate(target: string, profile: string): Promise<{ profile: ProfileFile; out: string; file: string }> {
  const inventory = join(dir, `${target}.yaml`);
  writeFileSync(inventory, `targets:\n  - kind: virtual\n    name: ${target}\n    profile: ${profile}\n`);
  const file = join(dir, `${target}.profile.json`);
  let out = '';
  await calibrateTarget(target, { inventory, output: file }, { write: (t) => (out += t), env: {}, now: () => new Date() });
  return { profile: JSON.parse(readFileSync(file, 'utf8')) as ProfileFile, out, file };
}

describe('dmc calibrate on the virtual device', { timeout: 600_000 }, () => {
  let securedCoreFile = '';

  it('reproduces the data file of the profile it calibrated (Secured-core with TPM and certificates; Windows 10 Pro without TPM, digest)', async () => {
    const [secured, win10] = await Promise.all([
      calibrate('sc', 'win11-24h2-enterprise-securedcore'),
      calibrate('w10', 'win10-22h2-pro-notpm'),
    ]);
    assert.deepEqual(observable(secured.profile), observable(dataFile('win11-24h2-enterprise-securedcore')));
    assert.deepEqual(observable(win10.profile), observable(dataFile('win10-22h2-pro-notpm')));
    assert.equal(win10.profile.device.authMode, 'digest');
    assert.equal(secured.profile.device.securedCore, true);
    // Named after the profile calibrated, so the expectations of that profile apply to the device loaded from it.
    assert.equal(secured.profile.name, 'win11-24h2-enterprise-securedcore');
    assert.equal(secured.profile.calibration?.freshEnrollment, true);
    assert.match(secured.out, /^nodes read: 106 \(\d+ answered 200, \d+ answered 404\)$/m);
    assert.match(secured.out, /^event IDs: session started 208, ended 209, command failed 404$/m);
    assert.match(secured.out, /poll\.schedule-task-names/);
    // The virtual device keeps one machine store; a real device's answer here settles win.cert-store-mdm-client.
    assert.match(secured.out, /^MDM client certificate: in LocalMachine\\My$/m);
    assert.match(secured.out, /win\.cert-store-mdm-client/);
    assert.match(secured.out, new RegExp(`profile written to ${secured.file.replace(/[.\\]/g, '\\$&')}`));
    securedCoreFile = secured.file;
  });

  it('a profile changed by hand changes what the virtual device does, and calibration reads every change back', async () => {
    const changed = dataFile('win11-23h2-enterprise');
    changed.name = 'changed';
    changed.tasks.maintenance = 'Maintenance poll of the lab build';
    changed.events.sessionStarted = 4242;
    changed.events.commandFailed = 4043;
    const cadence = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/ConfigRefresh/Cadence';
    const pause = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/ConfigRefresh/PausePeriod';
    assert.deepEqual([changed.nodes[cadence], changed.nodes[pause]], [{ status: 200, format: 'int', value: '90' }, { status: 200, format: 'int', value: '0' }]);
    changed.nodes[cadence] = { status: 200, format: 'int', value: '120' };
    changed.nodes[pause] = { status: 404 };
    const phone = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/HelpPhoneNumber';
    changed.registry.nodeValues[phone] = { key: `${changed.registry.dmClient.path}\\Support`, name: 'Phone', type: 'REG_SZ' };
    changed.registry.enrollment.values.LabMarker = { type: 'REG_SZ', data: 'enrolled by {ProviderID}' };
    const file = join(dir, 'changed.json');
    writeFileSync(file, JSON.stringify(changed));

    const { profile } = await calibrate('changed', file);
    assert.equal(profile.tasks.maintenance, 'Maintenance poll of the lab build');
    assert.deepEqual([profile.events.sessionStarted, profile.events.commandFailed], [4242, 4043]);
    assert.deepEqual([profile.nodes[cadence], profile.nodes[pause]], [{ status: 200, format: 'int', value: '120' }, { status: 404 }]);
    assert.deepEqual(profile.registry.nodeValues[phone], changed.registry.nodeValues[phone]);
    assert.deepEqual(profile.registry.enrollment.values.LabMarker, { type: 'REG_SZ', data: 'enrolled by {ProviderID}' });
    assert.deepEqual(observable(profile), observable(changed));
  });

  it('a virtual device loaded from the calibrated file passes the identity, poll and first-sync-status suites', async () => {
    assert.notEqual(securedCoreFile, '', 'the first test wrote the calibrated file');
    const inventory = join(dir, 'calibrated.yaml');
    writeFileSync(inventory, `targets:\n  - { kind: virtual, name: calibrated, profile: ${securedCoreFile}, timeScale: 60 }\n`);
    const program = new Command('dmc').exitOverride();
    let out = '';
    let exitCode: number | undefined;
    const args = ['--inventory', inventory, '--grep', 'DMC-(IDENT|POLL|FSS)-', '--output', join(dir, 'run')];
    registerRunCommand(program, {
      write: (t) => (out += t), setExitCode: (c) => (exitCode = c), signals: new EventEmitter(), env: { ...process.env, CI: '' },
      argv: ['node', 'dmc', 'run', ...args], pollMs: 500, heartbeatMs: 60_000,
    });
    await program.parseAsync(['run', ...args], { from: 'user' });
    assert.equal(exitCode, 0, out);
    const results = readResults(join(dir, 'run', 'results.json'));
    const verdicts = new Set(results.tests.map((t) => t.verdict));
    assert.ok(results.tests.length >= 30, `${results.tests.length} tests ran`);
    assert.deepEqual([...verdicts].filter((v) => v !== 'passed' && v !== 'not-applicable' && v !== 'expected-failure'), [], out);
    assert.equal(results.targets[0]?.profile, securedCoreFile);
  });

  it('calibrates an ssh target of a lab inventory, already enrolled, to the same profile', async () => {
    const lab = await startVirtualLab({ profile: 'win11-23h2-pro-notpm' });
    try {
      // The lab's server stands for an earlier `dmc run`: calibration starts its own on the same port and data dir.
      await lab.server.stop();
      const file = join(dir, 'lab-vm.profile.json');
      let out = '';
      const { profile } = await calibrateTarget('lab-vm', { inventory: lab.inventoryFile, output: file }, { write: (t) => (out += t), env: lab.env, now: () => new Date() });
      assert.match(out, /^already enrolled: /m);
      assert.equal(profile.calibration?.freshEnrollment, false);
      assert.equal(profile.name, 'lab-vm');
      // ConnInfo holds the device's history (a session that failed leaves ServerLastFailureTime), so it is not compared.
      const noHistory = (p: ProfileFile): unknown => observable({ ...p, registry: { ...p.registry, connInfo: { ...p.registry.connInfo, values: {} } } });
      assert.deepEqual(noHistory(profile), noHistory(dataFile('win11-23h2-pro-notpm')));
    } finally {
      await lab.close();
    }
  });
});
