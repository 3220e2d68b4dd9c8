/**
 * The doctor's checks inside a device, once the agent can log in. Each reads one or two probes and says what it
 * found and how to fix it. Checks that no probe of agents/windows can answer yet (the PowerShell version, the
 * device clock, an HTTPS request from the device to the harness) say so as `skip` rather than guess.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { ProbeAgent } from '../../../agents/agent.js';
import type { OsInfo } from '../../../agents/probe-schemas.js';
import type { HarnessSettings, Target } from '../../../fixtures/targets/inventory.js';
import { CHECK_NAMES as N, fail, pass, skip, warn, type CheckResult } from './check.js';

const OPENSSH_KEY = 'HKLM:\\SOFTWARE\\OpenSSH';
const NO_PROBE = 'not checked: no probe in agents/windows reads this yet';

/** Runs a check; an error of its probe becomes a failed row naming the error instead of ending the doctor. */
async function guarded(name: string, fix: string, check: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await check();
  } catch (error) {
    return fail(name, (error as Error).message.split('\n', 1)[0] ?? String(error), fix);
  }
}

export function powershellCheck(osInfo: OsInfo | undefined, firstError: string | undefined): CheckResult {
  if (osInfo === undefined) {
    return fail(
      N.powershell,
      `the os-info probe did not run: ${firstError ?? 'unknown error'}`,
      'check that `powershell.exe -NoProfile -Command $PSVersionTable.PSVersion` works in an SSH session as this user (Windows PowerShell 5.1 ships with Windows 10 and 11)',
    );
  }
  return pass(N.powershell, 'powershell.exe runs the probes (-EncodedCommand); version not read: no probe reports $PSVersionTable');
}

/** Get-Tpm needs an elevated session, so the tpm probe tells an administrator from a standard user on Windows. */
export async function adminCheck(agent: ProbeAgent): Promise<CheckResult> {
  const fix = 'log in as a member of the local Administrators group (probes read HKLM, run Get-Tpm and schedule SYSTEM tasks)';
  return guarded(N.admin, fix, async () => {
    const tpm = await agent.tpm();
    if (tpm.available) return pass(N.admin, 'elevated: Get-Tpm answered (it needs administrator rights)');
    const reason = tpm.reason ?? '';
    if (/access.{0,10}denied|administrator|elevat|privilege/i.test(reason)) return fail(N.admin, `not elevated: Get-Tpm said ${JSON.stringify(reason)}`, fix);
    return skip(N.admin, `cannot tell: Get-Tpm did not run (${reason || 'no reason given'})`, fix);
  });
}

export async function defaultShellCheck(agent: ProbeAgent, target: Target): Promise<CheckResult> {
  const expected = target.kind === 'ssh' ? (target.defaultShell ?? 'cmd') : 'cmd';
  const fix =
    `either set the device's shell: New-ItemProperty -Path ${OPENSSH_KEY} -Name DefaultShell -Value ` +
    `'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' -PropertyType String -Force, or set defaultShell in the target to match`;
  return guarded(N.defaultShell, fix, async () => {
    const read = await agent.readRegistry(OPENSSH_KEY, 'DefaultShell');
    const value = read.exists && typeof read.value === 'string' ? read.value : '';
    const shell = value === '' || /\\cmd\.exe$/i.test(value) ? 'cmd' : /\\powershell\.exe$/i.test(value) ? 'powershell' : 'other';
    const shown = value === '' ? 'cmd.exe (DefaultShell not set)' : value;
    if (shell === 'other') return warn(N.defaultShell, `${shown}: the probes are tested with cmd.exe and powershell.exe`, fix);
    if (shell === 'cmd' && expected === 'powershell') {
      return fail(N.defaultShell, `${shown}, but the target says defaultShell: powershell (cmd.exe cuts commands at 8191 characters)`, fix);
    }
    const note = shell === 'powershell' && expected === 'cmd' ? ' (the target assumes cmd.exe: probes stay under 8191 characters; defaultShell: powershell allows longer)' : '';
    return pass(N.defaultShell, `${shown}${note}`);
  });
}

export function clockCheck(): CheckResult {
  return skip(N.clock, NO_PROBE, 'check by hand: on the device w32tm /stripchart /computer:<harness host> /samples:1; certificates and MDM-Signature fail beyond a few minutes');
}

/** Where the device must reach the harness's MDM server (the fixtures' discovery URL rule). */
export function harnessUrl(target: Target, harness: HarnessSettings): string {
  if (target.kind === 'ssh' && target.harnessUrl !== undefined) return target.harnessUrl;
  return `https://${harness.publicHost ?? harness.host}:${harness.port}`;
}

export function harnessUrlCheck(target: Target, harness: HarnessSettings): CheckResult {
  const url = harnessUrl(target, harness);
  const loopbackHarness = /^(127\.|localhost$|::1$)/.test(harness.publicHost ?? harness.host);
  const loopbackDevice = target.kind === 'local' || (target.kind === 'ssh' && /^(127\.|localhost$|::1$)/.test(target.host));
  if (harness.host === '0.0.0.0' && harness.publicHost === undefined && !(target.kind === 'ssh' && target.harnessUrl !== undefined)) {
    return fail(N.harnessUrl, 'harness.host is 0.0.0.0 and no publicHost names the server for devices', 'set harness.publicHost to the name or address the device uses for this machine');
  }
  if (loopbackHarness && !loopbackDevice) {
    return fail(
      N.harnessUrl,
      `${url}: a loopback address, which the device at ${target.kind === 'ssh' ? target.host : '?'} cannot reach`,
      'in the inventory: harness.host: 0.0.0.0 and harness.publicHost: <this machine as the device sees it>, or harnessUrl in the target',
    );
  }
  if (harness.port === 0 && !(target.kind === 'ssh' && target.harnessUrl !== undefined)) {
    return warn(N.harnessUrl, `${url}: harness.port 0 picks a new port each run, which a firewall cannot allow`, 'set a fixed harness.port (e.g. 8443) and allow it inbound on the harness machine');
  }
  return skip(
    N.harnessUrl,
    `${url}: ${NO_PROBE} (an HTTPS request from the device)`,
    `check by hand on the device: Test-NetConnection ${new URL(url).hostname} -Port ${new URL(url).port || 443}`,
  );
}

function thumbprintOf(pem: string): string {
  return createHash('sha1').update(new X509Certificate(pem).raw).digest('hex').toUpperCase();
}

export async function caTrustCheck(agent: ProbeAgent, caPem: string | undefined, caSource: string, fixIt: boolean): Promise<CheckResult> {
  if (caPem === undefined) {
    return skip(N.caTrust, `no harness CA to compare: ${caSource}`, 'pass --ca <file> (the caCert `dmc server` prints, or <harness data dir>/pki/ca.cert.pem)');
  }
  const thumbprint = thumbprintOf(caPem);
  const fix = 'run `dmc doctor <target> --fix` (installs it with the trust-ca probe into LocalMachine\\Root), or Import-Certificate -CertStoreLocation Cert:\\LocalMachine\\Root on the device';
  return guarded(N.caTrust, fix, async () => {
    const root = await agent.certificates('Cert:\\LocalMachine\\Root');
    if (root.certificates.some((c) => c.Thumbprint === thumbprint)) return pass(N.caTrust, `${thumbprint} is in LocalMachine\\Root`);
    if (!fixIt) return fail(N.caTrust, `${thumbprint} (${caSource}) is not in LocalMachine\\Root`, fix);
    const added = await agent.trustCa(caPem);
    return pass(N.caTrust, `--fix: ${added.added ? 'added' : 'already present'} ${added.thumbprint} to LocalMachine\\Root`);
  });
}

export async function enrollmentsCheck(agent: ProbeAgent, providerId: string): Promise<CheckResult> {
  return guarded(N.enrollments, 'check the enrollments probe by hand: Get-ChildItem HKLM:\\SOFTWARE\\Microsoft\\Enrollments', async () => {
    const all = await agent.enrollments();
    const ours = all.filter((e) => e.ProviderID === providerId);
    const others = all.length - ours.length;
    const othersText = others === 0 ? '' : `; ${others} of other providers`;
    if (ours.length === 0) return pass(N.enrollments, `none of ${providerId} (a run enrolls the device)${othersText}`);
    const list = ours.map((e) => `${e.EnrollmentId} (state ${e.EnrollmentState ?? '?'})`).join(', ');
    if (ours.length > 1) {
      return warn(N.enrollments, `${ours.length} enrollments of ${providerId}: ${list}`, `remove the stale ones: dmc unenroll <target> --enrollment-id <id>`);
    }
    return pass(N.enrollments, `enrolled in ${providerId}: ${list}${othersText}`);
  });
}

export async function tpmCheck(agent: ProbeAgent): Promise<CheckResult> {
  return guarded(N.tpm, 'see Get-Tpm on the device', async () => {
    const tpm = await agent.tpm();
    if (!tpm.available) return skip(N.tpm, `Get-Tpm did not run: ${tpm.reason ?? 'no reason given'}`, 'run as an administrator');
    if (!tpm.TpmPresent) return warn(N.tpm, 'no TPM: tests that need one are reported not applicable', 'use a device or VM with a (virtual) TPM 2.0 to run them');
    const spec = tpm.SpecVersion === null ? '' : `, spec ${tpm.SpecVersion}`;
    return tpm.TpmReady
      ? pass(N.tpm, `present and ready${spec}`)
      : warn(N.tpm, `present but not ready${spec}`, 'initialize it: tpm.msc, or Initialize-Tpm');
  });
}

export async function securedCoreCheck(agent: ProbeAgent): Promise<CheckResult> {
  return guarded(N.securedCore, 'see Get-CimInstance -Namespace root\\Microsoft\\Windows\\DeviceGuard Win32_DeviceGuard', async () => {
    const guard = await agent.deviceGuard();
    if (!guard.available) return skip(N.securedCore, `Device Guard state not read: ${guard.reason ?? 'no reason given'}`, 'run as an administrator');
    return guard.SecuredCore
      ? pass(N.securedCore, `yes (${guard.securedCoreEvidence.join('; ')})`)
      : warn(N.securedCore, `no (${guard.securedCoreEvidence.join('; ') || 'no evidence'}): ConfigLock tests are not applicable`, 'a Secured-core PC is needed to test ConfigLock');
  });
}

/** Windows Home editions cannot enroll in an MDM (SKU 101 Core, 98-100 Core variants). */
export function buildCheck(osInfo: OsInfo | undefined): CheckResult {
  if (osInfo === undefined) return skip(N.build, 'not read: the os-info probe did not run', 'fix the checks above');
  const text = `${osInfo.productName} ${osInfo.displayVersion ?? ''} (${osInfo.build}.${osInfo.ubr}, ${osInfo.editionId}, SKU ${osInfo.skuId}${osInfo.isMultiSession ? ', multi-session' : ''})`.replace(/\s+\(/, ' (');
  if (/^Core/i.test(osInfo.editionId)) return fail(N.build, `${text}: Home editions cannot enroll in an MDM`, 'use Pro, Enterprise or Education');
  return pass(N.build, text);
}
