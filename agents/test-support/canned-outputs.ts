/**
 * Schema-valid probe outputs for the in-test SSH server. They are shaped from the request's arguments (the path
 * asked for comes back in the answer), so a test can see that the arguments crossed the wire intact.
 * Tests only: the virtual device answers from its own model in fixtures/virtual-device.
 */
import type { ProbeArgs } from '../probe-invocation.js';
import type { ProbeName, ProbeOutput } from '../probe-schemas.js';

const ENROLLMENT = '0F3B1C2D-1111-2222-3333-444455556666';
const str = (args: ProbeArgs, name: string, fallback = ''): string => (typeof args[name] === 'string' ? (args[name] as string) : fallback);

export function cannedOutput<P extends ProbeName>(probe: P, args: ProbeArgs): ProbeOutput<P> {
  const outputs: { [K in ProbeName]: () => ProbeOutput<K> } = {
    'os-info': () => ({
      probe: 'os-info', build: '10.0.22631', ubr: 4460, skuId: 4, editionId: 'Enterprise',
      productName: 'Microsoft Windows 11 Enterprise', displayVersion: '23H2', isMultiSession: false, machineName: 'LAB-PC-01',
    }),
    enrollments: () => ({
      probe: 'enrollments',
      enrollments: [{ EnrollmentId: ENROLLMENT, ProviderID: 'DMC-Harness', UPN: 'conformance@lab.example', EnrollmentState: 1, EnrollmentType: 6, DiscoveryServiceFullURL: 'https://127.0.0.1/EnrollmentServer/Discovery.svc', DMPCertThumbPrint: '8F2C6A0B4E1D3F5A7C9B0E2D4F6A8C1B3E5D7F90' }],
    }),
    'registry-read': () => ({ probe: 'registry-read', path: str(args, 'Path'), name: str(args, 'Name'), exists: true, kind: 'REG_SZ', value: 'canned' }),
    'set-registry-value': () => ({ probe: 'set-registry-value', path: str(args, 'Path'), name: str(args, 'Name'), kind: 'REG_SZ', value: str(args, 'Value'), previous: null }),
    'registry-snapshot': () => {
      const paths = Array.isArray(args.Paths) ? args.Paths : [];
      return {
        probe: 'registry-snapshot',
        roots: paths.map((path) => ({ path, exists: true })),
        keys: paths,
        entries: paths.map((key) => ({ key, name: 'ProviderID', kind: 'REG_SZ' as const, value: 'DMC-Harness' })),
      };
    },
    'scheduled-tasks': () => ({
      probe: 'scheduled-tasks', taskPath: str(args, 'TaskPath'),
      tasks: [{
        TaskPath: str(args, 'TaskPath'), TaskName: 'Schedule #1 created by enrollment client', State: 'Ready',
        Triggers: [{ Kind: 'Time', Enabled: true, StartBoundary: '2026-11-28T17:00:00', EndBoundary: null, RepetitionInterval: 'PT3M', RepetitionDuration: 'PT15M' }],
        LastRunTime: '2026-11-28T17:03:00.0000000Z', NextRunTime: '2026-11-28T17:06:00.0000000Z', LastTaskResult: 0,
      }],
    }),
    certificates: () => ({ probe: 'certificates', storePath: str(args, 'StorePath'), asSystem: args.AsSystem === true, certificates: [] }),
    'event-log': () => ({
      probe: 'event-log', logName: str(args, 'LogName'), since: str(args, 'Since'), channelFound: true, truncated: false,
      entries: [{ TimeCreated: '2026-11-28T17:01:02.0000000Z', Id: 209, ProviderName: 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider', Level: 4, RecordId: 1, Message: 'MDM Session: OMA-DM session ended with status: (The operation completed successfully.).' }],
    }),
    tpm: () => ({
      probe: 'tpm', available: true, reason: null, TpmPresent: true, TpmReady: true, TpmEnabled: true, TpmActivated: true, TpmOwned: true,
      ManufacturerId: 1414548736, ManufacturerIdTxt: 'MSFT', ManufacturerVersion: '8213.275.21.64', SpecVersion: '2.0, 0, 1.59', RestartPending: false,
    }),
    'device-guard': () => ({
      probe: 'device-guard', available: true, reason: null, VirtualizationBasedSecurityStatus: 0, SecurityServicesConfigured: [],
      SecurityServicesRunning: [], RequiredSecurityProperties: [], AvailableSecurityProperties: [1, 2], CodeIntegrityPolicyEnforcementStatus: 0,
      UsermodeCodeIntegrityPolicyEnforcementStatus: 0, SecureBoot: true, securedCoreEvidence: ['Secure Boot is on (Confirm-SecureBootUEFI)'],
    }),
    'trigger-sync': () => ({ probe: 'trigger-sync', enrollmentId: str(args, 'EnrollmentId'), hresult: 0, taskName: '\\dmc-conformance\\trigger-sync-1', output: '', timedOut: false }),
    enroll: () => ({ probe: 'enroll', discoveryUrl: str(args, 'DiscoveryUrl'), user: str(args, 'User'), hresult: 0, enrollmentId: ENROLLMENT, registryFound: true, timedOut: false }),
    unenroll: () => ({ probe: 'unenroll', enrollmentId: str(args, 'EnrollmentId'), hresult: 0, timedOut: false, leftovers: { registryKeys: [], tasks: [] } }),
    'remove-stale-enrollment': () => ({ probe: 'remove-stale-enrollment', enrollmentId: str(args, 'EnrollmentId'), removed: { registryKeys: [], tasks: [] }, notFound: true }),
    'trust-ca': () => ({ probe: 'trust-ca', thumbprint: 'A'.repeat(40), subject: 'CN=DMC Test CA', store: 'LocalMachine\\Root', added: true, alreadyPresent: false }),
    'session-counter': () => ({ probe: 'session-counter', available: false, sessions: null, messages: null }),
    'host-facts': () => ({
      probe: 'host-facts', utcNow: new Date().toISOString(), psVersion: '5.1.22621.4391', psEdition: 'Desktop', languageMode: 'FullLanguage',
      user: 'LAB-PC-01\\labadmin', elevated: true, defaultShell: null, parentProcess: 'cmd.exe',
    }),
    'https-reach': () => ({ probe: 'https-reach', url: str(args, 'Url'), reached: true, status: 200, failure: null, error: null, proxy: null, durationMs: 42 }),
  };
  return outputs[probe]() as ProbeOutput<P>;
}
