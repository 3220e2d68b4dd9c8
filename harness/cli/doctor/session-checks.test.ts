/**
 * The doctor rows read off one host-facts answer: PowerShell version and language mode, elevation, the shell
 * OpenSSH really used, and the clock skew measured against the harness's send and receive times. The facts are
 * what real machines answer in the cases a lab meets (a ConstrainedLanguage session under WDAC, a standard user,
 * a PowerShell DefaultShell, a clock minutes off); the doctor test runs the same rows against the virtual device.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostFacts, OsInfo } from '../../../agents/probe-schemas.js';
import type { Target } from '../../../fixtures/targets/inventory.js';
import { adminCheck, CLOCK_FAIL_SECONDS, clockCheck, defaultShellCheck, powershellCheck, type TimedHostFacts } from './device-checks.js';

const OS: OsInfo = {
  probe: 'os-info', build: '10.0.22631', ubr: 4460, skuId: 4, editionId: 'Enterprise', productName: 'Microsoft Windows 11 Enterprise',
  displayVersion: '23H2', isMultiSession: false, machineName: 'LAB-PC-01',
};
const FACTS: HostFacts = {
  probe: 'host-facts', utcNow: '2026-11-28T12:00:00.000Z', psVersion: '5.1.22621.4391', psEdition: 'Desktop', languageMode: 'FullLanguage',
  user: 'LAB-PC-01\\labadmin', elevated: true, defaultShell: null, parentProcess: 'cmd.exe',
};
const SENT = Date.parse('2026-11-28T12:00:00.000Z');

/** The facts, read by a device whose answer took `roundTripMs` and whose clock was `skewMs` ahead of the harness. */
function timed(facts: Partial<HostFacts> = {}, skewMs = 0, roundTripMs = 1200): TimedHostFacts {
  const sentAt = new Date(SENT);
  const receivedAt = new Date(SENT + roundTripMs);
  const utcNow = new Date(SENT + roundTripMs / 2 + skewMs).toISOString();
  return { facts: { ...FACTS, utcNow, ...facts }, sentAt, receivedAt };
}

const sshTarget = (defaultShell?: 'cmd' | 'powershell'): Target =>
  ({ kind: 'ssh', name: 'pc', host: '10.0.0.7', port: 22, user: 'labadmin', auth: { agent: true }, connectTimeoutMs: 10_000, ...(defaultShell ? { defaultShell } : {}) }) as Target;

describe('clock skew', () => {
  it('passes a device within a few seconds and says by how much, either way', () => {
    const ahead = clockCheck(timed({}, 2_500));
    assert.equal(ahead.status, 'pass');
    assert.equal(ahead.detail, 'device 2.5 s ahead of the harness (± 0.6 s)');
    assert.equal(clockCheck(timed({}, -4_000)).detail, 'device 4.0 s behind the harness (± 0.6 s)');
  });

  it('warns at half a minute off and fails at minutes off, with the w32tm fix', () => {
    const warned = clockCheck(timed({}, 30_000));
    assert.equal(warned.status, 'warn');
    assert.match(warned.detail, /^device 30\.0 s ahead of the harness \(± 0\.6 s\): event-log checks by time may miss/);
    const failed = clockCheck(timed({}, -(CLOCK_FAIL_SECONDS + 60) * 1000));
    assert.equal(failed.status, 'fail');
    assert.match(failed.detail, /^device 180\.0 s behind the harness/);
    assert.match(failed.fix ?? '', /^on the device: w32tm \/resync \/force/);
  });

  it('gives a slow answer the benefit of its round trip: 12 s off within a 20 s round trip passes', () => {
    const slow = clockCheck(timed({}, 12_000, 20_000));
    assert.equal(slow.status, 'pass');
    assert.equal(slow.detail, 'device 12.0 s ahead of the harness (± 10.0 s)');
  });

  it('is skipped with the reason when host-facts did not run', () => {
    const row = clockCheck(new Error('DMC_ERR_AGENT_PROBE_EXIT_NONZERO: lab-pc: probe host-facts exited 1\nmore'));
    assert.equal(row.status, 'skip');
    assert.equal(row.detail, 'not read: the host-facts probe did not run (DMC_ERR_AGENT_PROBE_EXIT_NONZERO: lab-pc: probe host-facts exited 1)');
  });
});

describe('PowerShell', () => {
  it('passes Windows PowerShell 5.1 in FullLanguage and shows the version', () => {
    const row = powershellCheck(OS, undefined, timed());
    assert.equal(row.status, 'pass');
    assert.equal(row.detail, 'Windows PowerShell 5.1.22621.4391 (Desktop), FullLanguage');
  });

  it('fails ConstrainedLanguage (WDAC or AppLocker), where the enroll probe cannot Add-Type', () => {
    const row = powershellCheck(OS, undefined, timed({ languageMode: 'ConstrainedLanguage' }));
    assert.equal(row.status, 'fail');
    assert.match(row.detail, /ConstrainedLanguage: the enroll probe needs FullLanguage/);
    assert.match(row.fix ?? '', /WDAC or AppLocker/);
  });

  it('fails PowerShell 5.0, which has no PSEdition', () => {
    const row = powershellCheck(OS, undefined, timed({ psVersion: '5.0.10586.117', psEdition: null }));
    assert.equal(row.status, 'fail');
    assert.equal(row.detail, 'Windows PowerShell 5.0.10586.117, FullLanguage: the probes need 5.1');
  });

  it('names the first probe error when nothing ran', () => {
    const row = powershellCheck(undefined, 'lab-pc: probe os-info exited 1: powershell.exe is not recognized', new Error('x'));
    assert.equal(row.status, 'fail');
    assert.equal(row.detail, 'the os-info probe did not run: lab-pc: probe os-info exited 1: powershell.exe is not recognized');
  });
});

describe('admin rights', () => {
  it('passes an elevated login and fails a standard user', () => {
    assert.deepEqual(adminCheck(timed()), { name: 'admin rights', status: 'pass', detail: 'LAB-PC-01\\labadmin, elevated (Administrators enabled in the token)' });
    const user = adminCheck(timed({ user: 'LAB-PC-01\\tester', elevated: false }));
    assert.equal(user.status, 'fail');
    assert.equal(user.detail, 'LAB-PC-01\\tester is not elevated');
    assert.match(user.fix ?? '', /local Administrators group/);
  });
});

describe('OpenSSH default shell', () => {
  it('passes cmd.exe for a target that assumes cmd, and PowerShell for one that says so', () => {
    assert.equal(defaultShellCheck(timed(), sshTarget()).status, 'pass');
    const ps = timed({ defaultShell: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', parentProcess: 'powershell.exe' });
    const row = defaultShellCheck(ps, sshTarget('powershell'));
    assert.equal(row.status, 'pass');
    assert.equal(row.detail, 'DefaultShell C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe; the probe ran under powershell.exe');
  });

  it('fails a target that says powershell when the probe really ran under cmd.exe', () => {
    const row = defaultShellCheck(timed(), sshTarget('powershell'));
    assert.equal(row.status, 'fail');
    assert.match(row.detail, /the probe ran under cmd\.exe, but the target says defaultShell: powershell \(cmd\.exe cuts commands at 8191 characters\)/);
  });

  it('warns about a shell the probes are not tested with', () => {
    const bash = defaultShellCheck(timed({ defaultShell: 'C:\\Program Files\\Git\\bin\\bash.exe', parentProcess: 'bash.exe' }), sshTarget());
    assert.equal(bash.status, 'warn');
  });
});
