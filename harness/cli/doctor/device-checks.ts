/**
 * The doctor's checks inside a device, once the agent can log in. Each reads one or two probes and says what it
 * found and how to fix it. The session checks (PowerShell, admin rights, OpenSSH shell, clock) share one call of
 * the host-facts probe; the harness URL check lives in harness-reach.ts, since it needs a listening server.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { ProbeAgent } from '../../../agents/agent.js';
import type { HostFacts, OsInfo } from '../../../agents/probe-schemas.js';
import { readSecuredCore } from '../../../agents/secured-core.js';
import { normalThumbprint } from '../../pki/index.js';
import { MDM_CERTIFICATE_STORE_NAMES, findMdmCertificates } from '../../../fixtures/conformance/mdm-certificate.js';
import type { Target } from '../../../fixtures/targets/inventory.js';
import { CHECK_NAMES as N, fail, firstLine, pass, skip, warn, type CheckResult } from './check.js';

const OPENSSH_KEY = 'HKLM:\\SOFTWARE\\OpenSSH';

/** Runs a check; an error of its probe becomes a failed row naming the error instead of ending the doctor. */
async function guarded(name: string, fix: string, check: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await check();
  } catch (error) {
    return fail(name, firstLine(error), fix);
  }
}

/** host-facts, with the harness's clock read just before the command went out and just after the answer came. */
export interface TimedHostFacts {
  facts: HostFacts;
  sentAt: Date;
  receivedAt: Date;
}

/** Runs host-facts; its error (a PowerShell that cannot run it) is kept for the rows that needed it. */
export async function readHostFacts(agent: ProbeAgent): Promise<TimedHostFacts | Error> {
  const sentAt = new Date();
  try {
    const facts = await agent.hostFacts();
    return { facts, sentAt, receivedAt: new Date() };
  } catch (error) {
    return error as Error;
  }
}

/** The probes are written for Windows PowerShell 5.1 in FullLanguage mode (enroll compiles a P/Invoke with Add-Type). */
export function powershellCheck(osInfo: OsInfo | undefined, firstError: string | undefined, host: TimedHostFacts | Error): CheckResult {
  const fix51 = 'check that `powershell.exe -NoProfile -Command $PSVersionTable.PSVersion` works in an SSH session as this user (Windows PowerShell 5.1 ships with Windows 10 and 11)';
  if (osInfo === undefined) return fail(N.powershell, `the os-info probe did not run: ${firstError ?? 'unknown error'}`, fix51);
  if (host instanceof Error) return fail(N.powershell, `the host-facts probe did not run: ${firstLine(host)}`, fix51);
  const { psVersion, psEdition, languageMode } = host.facts;
  const [major = 0, minor = 0] = psVersion.split('.').map(Number);
  const shown = `Windows PowerShell ${psVersion}${psEdition === null ? '' : ` (${psEdition})`}, ${languageMode}`;
  if (major < 5 || (major === 5 && minor < 1)) return fail(N.powershell, `${shown}: the probes need 5.1`, 'install Windows Management Framework 5.1, or use Windows 10 or 11');
  if (languageMode !== 'FullLanguage') {
    return fail(
      N.powershell,
      `${shown}: the enroll probe needs FullLanguage (Add-Type is blocked)`,
      'allow the harness account to run unrestricted PowerShell: a WDAC or AppLocker policy puts this session in ConstrainedLanguage',
    );
  }
  return pass(N.powershell, shown);
}

/** An administrator's OpenSSH login is elevated; a standard user cannot read HKLM\...\Enrollments fully or schedule SYSTEM tasks. */
export function adminCheck(host: TimedHostFacts | Error): CheckResult {
  const fix = 'log in as a member of the local Administrators group (probes read HKLM, run Get-Tpm and schedule SYSTEM tasks)';
  if (host instanceof Error) return skip(N.admin, `not read: the host-facts probe did not run (${firstLine(host)})`, 'fix the PowerShell check first');
  const { user, elevated } = host.facts;
  return elevated ? pass(N.admin, `${user}, elevated (Administrators enabled in the token)`) : fail(N.admin, `${user} is not elevated`, fix);
}

/**
 * Which shell OpenSSH runs commands in decides how long a probe command may be (cmd.exe: 8191 characters). The
 * row compares the target's `defaultShell` with both the configured value and the shell that really started the
 * probe (its parent process).
 */
export function defaultShellCheck(host: TimedHostFacts | Error, target: Target): CheckResult {
  if (host instanceof Error) return skip(N.defaultShell, `not read: the host-facts probe did not run (${firstLine(host)})`, 'fix the PowerShell check first');
  const expected = target.kind === 'ssh' ? (target.defaultShell ?? 'cmd') : 'cmd';
  const fix =
    `either set the device's shell: New-ItemProperty -Path ${OPENSSH_KEY} -Name DefaultShell -Value ` +
    `'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe' -PropertyType String -Force, or set defaultShell in the target to match`;
  const { defaultShell, parentProcess } = host.facts;
  const configured = defaultShell === null ? 'DefaultShell not set (cmd.exe)' : `DefaultShell ${defaultShell}`;
  const ran = parentProcess ?? 'unknown';
  const shown = `${configured}; the probe ran under ${ran}`;
  const shell = /^cmd(\.exe)?$/i.test(ran) ? 'cmd' : /^(powershell|pwsh)(\.exe)?$/i.test(ran) ? 'powershell' : 'other';
  if (shell === 'other') return warn(N.defaultShell, `${shown}: the probes are tested with cmd.exe and powershell.exe`, fix);
  if (shell === 'cmd' && expected === 'powershell') {
    return fail(N.defaultShell, `${shown}, but the target says defaultShell: powershell (cmd.exe cuts commands at 8191 characters)`, fix);
  }
  const note = shell === 'powershell' && expected === 'cmd' ? ' (the target assumes cmd.exe: probes stay under 8191 characters; defaultShell: powershell allows longer)' : '';
  return pass(N.defaultShell, `${shown}${note}`);
}

/** Skew the suites do not notice (NTP keeps machines well inside this). */
export const CLOCK_PASS_SECONDS = 10;
/** Beyond this, event-log queries "since" a harness time miss the device's events, and fresh certificates may not be valid yet. */
export const CLOCK_FAIL_SECONDS = 120;

/**
 * The device read its clock somewhere between `sentAt` and `receivedAt` (harness time), so the skew is measured
 * against the midpoint, give or take half the round trip. A row only warns or fails when even the most favourable
 * reading is off, so a slow PowerShell start never raises a false alarm.
 */
export function clockCheck(host: TimedHostFacts | Error): CheckResult {
  const fix = 'on the device: w32tm /resync /force (or point it at a time source: w32tm /config /manualpeerlist:<ntp server> /syncfromflags:manual /update), and keep the harness machine on NTP';
  if (host instanceof Error) return skip(N.clock, `not read: the host-facts probe did not run (${firstLine(host)})`, 'fix the PowerShell check first');
  const device = Date.parse(host.facts.utcNow);
  const mid = (host.sentAt.getTime() + host.receivedAt.getTime()) / 2;
  const margin = (host.receivedAt.getTime() - host.sentAt.getTime()) / 2;
  const skew = (device - mid) / 1000;
  const least = Math.max(0, Math.abs(skew) - margin / 1000);
  const direction = skew >= 0 ? 'ahead of' : 'behind';
  const shown = `device ${Math.abs(skew).toFixed(1)} s ${direction} the harness (± ${(margin / 1000).toFixed(1)} s)`;
  if (least > CLOCK_FAIL_SECONDS) {
    return fail(N.clock, `${shown}: event-log checks would miss events, and new certificates may not be valid yet`, fix);
  }
  if (least > CLOCK_PASS_SECONDS) return warn(N.clock, `${shown}: event-log checks by time may miss or misplace events`, fix);
  return pass(N.clock, shown);
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

/** `readEnrollments`: the doctor reads the enrollments once for this row and the MDM certificate row. */
export async function enrollmentsCheck(agent: ProbeAgent, providerId: string, readEnrollments = () => agent.enrollments()): Promise<CheckResult> {
  return guarded(N.enrollments, 'check the enrollments probe by hand: Get-ChildItem HKLM:\\SOFTWARE\\Microsoft\\Enrollments', async () => {
    const all = await readEnrollments();
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

/**
 * Where the enrollment's MDM certificate is, by the thumbprint Windows registered for it: a run identifies the
 * device by that value, and DMC-UNENR-005 checks the store that holds the certificate. Which store Windows uses for
 * a My/User enrollment is not documented (fixtures/conformance/mdm-certificate.ts), so this row is where a lab sees
 * it first. Looks no further than the first store that holds it, as a run does.
 */
export async function mdmCertificateCheck(agent: ProbeAgent, providerId: string, readEnrollments = () => agent.enrollments()): Promise<CheckResult> {
  return guarded(N.mdmCertificate, 'look by hand: DMPCertThumbPrint under HKLM:\\SOFTWARE\\Microsoft\\Enrollments\\<GUID>, then Get-ChildItem Cert:\\LocalMachine\\My', async () => {
    const ours = (await readEnrollments()).filter((e) => e.ProviderID === providerId);
    if (ours.length === 0) return pass(N.mdmCertificate, `no enrollment of ${providerId} yet: nothing to look for`);
    const registered = ours.flatMap((e) => (e.DMPCertThumbPrint === null ? [] : [normalThumbprint(e.DMPCertThumbPrint)]));
    if (registered.length === 0) {
      return warn(
        N.mdmCertificate,
        `no DMPCertThumbPrint under ${ours.map((e) => e.EnrollmentId).join(', ')}: a run identifies the device by the My stores alone`,
        'report the Windows build: the harness expects Windows to record the certificate\'s thumbprint there (fact win.enrollment-value-dmpcertthumbprint)',
      );
    }
    const found = await findMdmCertificates(agent, registered);
    if (found === undefined) {
      return warn(
        N.mdmCertificate,
        `${registered.join(', ')} is in none of ${MDM_CERTIFICATE_STORE_NAMES.join(', ')}: a run can still identify the device by the registry, but DMC-UNENR-005 cannot check the certificate's removal`,
        'a machine someone enrolled by hand keeps it in their own store: dmc unenroll it and let the harness enroll it (docs/lab-setup.md)',
      );
    }
    return pass(N.mdmCertificate, `${found.thumbprints.join(', ')} in ${found.store}`);
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
    const reading = readSecuredCore(guard, await agent.tpm());
    if (reading.unknown !== undefined) return skip(N.securedCore, `cannot be told: ${reading.unknown}`, 'run as an administrator on a UEFI machine');
    const seen = reading.evidence.join('; ');
    return reading.securedCore
      ? pass(N.securedCore, `yes (${seen})`)
      : warn(
          N.securedCore,
          `no, missing: ${reading.missing.join(', ')} (${seen}): ConfigLock tests are not applicable`,
          'a Secured-core PC is needed to test ConfigLock (a PC with Firmware Attack Surface Reduction instead of Secure Launch reads "no" here: docs/lab-setup.md)',
        );
  });
}

/** Windows Home editions cannot enroll in an MDM (SKU 101 Core, 98-100 Core variants). */
export function buildCheck(osInfo: OsInfo | undefined): CheckResult {
  if (osInfo === undefined) return skip(N.build, 'not read: the os-info probe did not run', 'fix the checks above');
  const text = `${osInfo.productName} ${osInfo.displayVersion ?? ''} (${osInfo.build}.${osInfo.ubr}, ${osInfo.editionId}, SKU ${osInfo.skuId}${osInfo.isMultiSession ? ', multi-session' : ''})`.replace(/\s+\(/, ' (');
  if (/^Core/i.test(osInfo.editionId)) return fail(N.build, `${text}: Home editions cannot enroll in an MDM`, 'use Pro, Enterprise or Education');
  return pass(N.build, text);
}
