/**
 * One zod schema per probe: the JSON document the probe prints on stdout. Real Windows and the virtual device
 * must both pass these, so they are the contract between `agents/windows/*.ps1` and `fixtures/virtual-device`.
 *
 * Field names: where a value is a Windows object's property (Get-Tpm, Win32_DeviceGuard, a task, a certificate,
 * a registry value under Enrollments) it keeps the Windows name; the envelope fields the probes add are
 * camelCase. Every time is an ISO-8601 string in UTC (`[datetime]::ToUniversalTime().ToString('o')`).
 */
import { z } from 'zod';

export const isoTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, 'an ISO-8601 time');
const guid = z.string().regex(/^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$/, 'a GUID');
const int = z.number().int();
/** HRESULTs are reported as signed 32-bit integers, as .NET and PowerShell hold them (0x80010106 = -2147417850). */
const hresult = int.min(-2147483648).max(2147483647);
const registryPath = z.string().regex(/^(HKLM|HKCU):\\/, 'a registry path starting HKLM:\\ or HKCU:\\');

export const registryKinds = ['REG_SZ', 'REG_EXPAND_SZ', 'REG_MULTI_SZ', 'REG_DWORD', 'REG_QWORD', 'REG_BINARY', 'REG_NONE'] as const;
export const registryKind = z.enum(registryKinds);
/** REG_SZ/REG_EXPAND_SZ: string; REG_MULTI_SZ: string[]; REG_DWORD: number; REG_QWORD: decimal string (may pass 2^53);
 * REG_BINARY: base64 string; REG_NONE: null. */
export const registryValue = z.union([z.string(), z.number(), z.array(z.string()), z.null()]);

export const osInfoOutput = z.object({
  probe: z.literal('os-info'),
  /** Major.minor.build as Windows reports it, e.g. "10.0.22631". */
  build: z.string().regex(/^\d+\.\d+\.\d+$/),
  /** Update build revision (HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion UBR). */
  ubr: int.nonnegative(),
  /** Win32_OperatingSystem.OperatingSystemSKU, e.g. 4 Enterprise, 48 Pro, 175 Enterprise multi-session. */
  skuId: int.nonnegative(),
  /** CurrentVersion EditionID, e.g. "Enterprise", "Professional", "ServerRdsh". */
  editionId: z.string().min(1),
  productName: z.string(),
  displayVersion: z.string().nullable(),
  isMultiSession: z.boolean(),
  machineName: z.string().min(1),
});

export const enrollmentEntry = z.object({
  EnrollmentId: guid,
  ProviderID: z.string().nullable(),
  UPN: z.string().nullable(),
  EnrollmentState: int.nullable(),
  EnrollmentType: int.nullable(),
  DiscoveryServiceFullURL: z.string().nullable(),
  /** The MDM client certificate's thumbprint as Windows recorded it (fact win.enrollment-value-dmpcertthumbprint). */
  DMPCertThumbPrint: z.string().nullable(),
});
export const enrollmentsOutput = z.object({ probe: z.literal('enrollments'), enrollments: z.array(enrollmentEntry) });

export const registryReadOutput = z.object({
  probe: z.literal('registry-read'),
  path: registryPath,
  name: z.string(),
  exists: z.boolean(),
  kind: registryKind.nullable(),
  value: registryValue,
});

/** A value changed behind the MDM's back (how a suite provokes ConfigLock drift). */
export const setRegistryValueOutput = z.object({
  probe: z.literal('set-registry-value'),
  path: registryPath,
  name: z.string(),
  kind: z.enum(['REG_SZ', 'REG_DWORD']),
  value: z.string(),
  /** The value before, as text; null when the value did not exist. */
  previous: z.string().nullable(),
});

export const registrySnapshotEntry = z.object({
  key: registryPath,
  /** "" is the key's default value. */
  name: z.string(),
  kind: registryKind,
  value: registryValue,
});
export const registrySnapshotOutput = z.object({
  probe: z.literal('registry-snapshot'),
  roots: z.array(z.object({ path: registryPath, exists: z.boolean() })),
  /** Every key found under the roots (roots included), so an added or removed empty key shows in a diff. */
  keys: z.array(registryPath),
  entries: z.array(registrySnapshotEntry),
});

export const taskTrigger = z.object({
  /** The trigger's CIM class without MSFT_Task and Trigger: "Time", "Daily", "Logon", "Boot", "Event", ... */
  Kind: z.string().min(1),
  Enabled: z.boolean(),
  StartBoundary: z.string().nullable(),
  EndBoundary: z.string().nullable(),
  /** ISO-8601 durations as the task XML holds them ("PT15M", "P1D"), null when the trigger does not repeat. */
  RepetitionInterval: z.string().nullable(),
  RepetitionDuration: z.string().nullable(),
});
export const scheduledTask = z.object({
  TaskPath: z.string(),
  TaskName: z.string(),
  State: z.string(),
  Triggers: z.array(taskTrigger),
  LastRunTime: isoTime.nullable(),
  NextRunTime: isoTime.nullable(),
  /** Signed 32-bit like `hresult` (267011 = 0x41303, the task has not yet run). */
  LastTaskResult: int.nullable(),
});
export const scheduledTasksOutput = z.object({
  probe: z.literal('scheduled-tasks'),
  taskPath: z.string(),
  tasks: z.array(scheduledTask),
});

export const certificateEntry = z.object({
  Thumbprint: z.string().regex(/^[0-9A-F]{40}$/),
  Subject: z.string(),
  Issuer: z.string(),
  SerialNumber: z.string(),
  NotBefore: isoTime,
  NotAfter: isoTime,
  /** Enhanced key usage OIDs, e.g. "1.3.6.1.5.5.7.3.2" (client authentication). */
  EnhancedKeyUsages: z.array(z.string()),
  HasPrivateKey: z.boolean(),
});
export const certificatesOutput = z.object({
  probe: z.literal('certificates'),
  storePath: z.string().regex(/^Cert:\\(LocalMachine|CurrentUser)\\[^\\]+$/i),
  /** Listed by a one-shot SYSTEM task: Cert:\CurrentUser is then the SYSTEM account's own store. */
  asSystem: z.boolean(),
  certificates: z.array(certificateEntry),
});

export const eventEntry = z.object({
  TimeCreated: isoTime,
  Id: int,
  ProviderName: z.string(),
  /** 1 critical, 2 error, 3 warning, 4 information, 5 verbose. */
  Level: int,
  RecordId: int.nullable(),
  Message: z.string().nullable(),
});
export const eventLogOutput = z.object({
  probe: z.literal('event-log'),
  logName: z.string().min(1),
  since: isoTime,
  /** false when the channel does not exist on this device. */
  channelFound: z.boolean(),
  entries: z.array(eventEntry),
  /** true when MaxEvents cut the list. */
  truncated: z.boolean(),
});

export const tpmOutput = z.object({
  probe: z.literal('tpm'),
  /** false when Get-Tpm could not run (not elevated, no TBS service); `reason` says why. */
  available: z.boolean(),
  reason: z.string().nullable(),
  TpmPresent: z.boolean(),
  TpmReady: z.boolean(),
  TpmEnabled: z.boolean().nullable(),
  TpmActivated: z.boolean().nullable(),
  TpmOwned: z.boolean().nullable(),
  ManufacturerId: int.nullable(),
  ManufacturerIdTxt: z.string().nullable(),
  ManufacturerVersion: z.string().nullable(),
  /** From Win32_Tpm (root\cimv2\Security\MicrosoftTpm) when reachable, e.g. "2.0, 0, 1.59". */
  SpecVersion: z.string().nullable(),
  RestartPending: z.boolean().nullable(),
});

export const deviceGuardOutput = z.object({
  probe: z.literal('device-guard'),
  available: z.boolean(),
  reason: z.string().nullable(),
  /** 0 off, 1 configured but not running, 2 running. */
  VirtualizationBasedSecurityStatus: int.nullable(),
  /** 1 Credential Guard, 2 HVCI, 3 System Guard Secure Launch, 4 SMM firmware measurement, ... */
  SecurityServicesConfigured: z.array(int),
  SecurityServicesRunning: z.array(int),
  RequiredSecurityProperties: z.array(int),
  /** 1 hypervisor support, 2 Secure Boot, 3 DMA protection, 4 Secure Memory Overwrite, 5 NX, 6 SMM mitigations, ... */
  AvailableSecurityProperties: z.array(int),
  CodeIntegrityPolicyEnforcementStatus: int.nullable(),
  UsermodeCodeIntegrityPolicyEnforcementStatus: int.nullable(),
  SecureBoot: z.boolean().nullable(),
  /** What the probe saw, for a reader; agents/secured-core.ts decides from the fields above and the TPM. */
  securedCoreEvidence: z.array(z.string()),
});

export const triggerSyncOutput = z.object({
  probe: z.literal('trigger-sync'),
  enrollmentId: guid,
  hresult,
  taskName: z.string(),
  output: z.string(),
  timedOut: z.boolean(),
});

export const enrollOutput = z.object({
  probe: z.literal('enroll'),
  discoveryUrl: z.string(),
  user: z.string(),
  hresult,
  /** Read from the registry after the call: a failing HRESULT can leave an enrollment behind, and the reverse. */
  enrollmentId: guid.nullable(),
  registryFound: z.boolean(),
  timedOut: z.boolean(),
});

export const leftovers = z.object({ registryKeys: z.array(z.string()), tasks: z.array(z.string()) });
export const unenrollOutput = z.object({
  probe: z.literal('unenroll'),
  enrollmentId: guid,
  hresult,
  timedOut: z.boolean(),
  leftovers,
});

export const removeStaleEnrollmentOutput = z.object({
  probe: z.literal('remove-stale-enrollment'),
  enrollmentId: guid,
  removed: leftovers,
  notFound: z.boolean(),
});

export const trustCaOutput = z.object({
  probe: z.literal('trust-ca'),
  thumbprint: z.string().regex(/^[0-9A-F]{40}$/),
  subject: z.string(),
  store: z.literal('LocalMachine\\Root'),
  added: z.boolean(),
  alreadyPresent: z.boolean(),
});

export const sessionCounterOutput = z.object({
  probe: z.literal('session-counter'),
  /** Only the virtual device counts OMA-DM sessions; real Windows answers available: false and nulls. */
  available: z.boolean(),
  sessions: int.nonnegative().nullable(),
  messages: int.nonnegative().nullable(),
});

/**
 * Facts about the session the probes run in, for `dmc doctor`: the device clock (skew against the harness), the
 * PowerShell that runs the probes, whether the login is elevated, and which shell OpenSSH started.
 */
export const hostFactsOutput = z.object({
  probe: z.literal('host-facts'),
  /** The device's clock when the probe read it, UTC. */
  utcNow: isoTime,
  /** $PSVersionTable.PSVersion, e.g. "5.1.22621.4391". */
  psVersion: z.string().regex(/^\d+\.\d+(\.\d+){0,2}$/),
  /** "Desktop" for Windows PowerShell, "Core" for PowerShell 7; null on PowerShell 5.0 and older, which lack it. */
  psEdition: z.string().nullable(),
  /** FullLanguage, or ConstrainedLanguage under WDAC/AppLocker, where Add-Type (used by the enroll probe) fails. */
  languageMode: z.string().min(1),
  /** DOMAIN\user or MACHINE\user of the SSH login. */
  user: z.string().min(1),
  /** The token holds the Administrators group enabled (an administrator's OpenSSH login is elevated). */
  elevated: z.boolean(),
  /** HKLM:\SOFTWARE\OpenSSH DefaultShell; null when not set (OpenSSH then uses cmd.exe). */
  defaultShell: z.string().nullable(),
  /** The process that started this PowerShell: the shell OpenSSH really used ("cmd.exe", "powershell.exe"). */
  parentProcess: z.string().nullable(),
});

export const httpsReachFailures = ['dns', 'connect', 'timeout', 'certificate', 'tls', 'other'] as const;
/** One HTTPS GET from the device, trusting what the device's machine stores trust (nothing is bypassed). */
export const httpsReachOutput = z.object({
  probe: z.literal('https-reach'),
  url: z.string(),
  /** An HTTP answer came back (any status). */
  reached: z.boolean(),
  status: int.min(100).max(599).nullable(),
  /** Why no answer came back; null when reached. */
  failure: z.enum(httpsReachFailures).nullable(),
  /** The error as the device's HTTP stack said it; null when reached. */
  error: z.string().nullable(),
  /** The proxy the request went through; null when direct. */
  proxy: z.string().nullable(),
  durationMs: int.nonnegative(),
});

export const probeSchemas = {
  'os-info': osInfoOutput,
  enrollments: enrollmentsOutput,
  'registry-read': registryReadOutput,
  'set-registry-value': setRegistryValueOutput,
  'registry-snapshot': registrySnapshotOutput,
  'scheduled-tasks': scheduledTasksOutput,
  certificates: certificatesOutput,
  'event-log': eventLogOutput,
  tpm: tpmOutput,
  'device-guard': deviceGuardOutput,
  'trigger-sync': triggerSyncOutput,
  enroll: enrollOutput,
  unenroll: unenrollOutput,
  'remove-stale-enrollment': removeStaleEnrollmentOutput,
  'trust-ca': trustCaOutput,
  'session-counter': sessionCounterOutput,
  'host-facts': hostFactsOutput,
  'https-reach': httpsReachOutput,
} as const;

export type ProbeName = keyof typeof probeSchemas;
export type ProbeOutput<P extends ProbeName> = z.infer<(typeof probeSchemas)[P]>;

export type OsInfo = z.infer<typeof osInfoOutput>;
export type Enrollment = z.infer<typeof enrollmentEntry>;
export type RegistryKind = z.infer<typeof registryKind>;
export type RegistryValue = z.infer<typeof registryValue>;
export type RegistryRead = z.infer<typeof registryReadOutput>;
export type SetRegistryValueResult = z.infer<typeof setRegistryValueOutput>;
export type RegistrySnapshotEntry = z.infer<typeof registrySnapshotEntry>;
export type RegistrySnapshot = z.infer<typeof registrySnapshotOutput>;
export type TaskTrigger = z.infer<typeof taskTrigger>;
export type ScheduledTask = z.infer<typeof scheduledTask>;
export type ScheduledTasks = z.infer<typeof scheduledTasksOutput>;
export type Certificate = z.infer<typeof certificateEntry>;
export type Certificates = z.infer<typeof certificatesOutput>;
export type EventEntry = z.infer<typeof eventEntry>;
export type EventLog = z.infer<typeof eventLogOutput>;
export type TpmInfo = z.infer<typeof tpmOutput>;
export type DeviceGuardInfo = z.infer<typeof deviceGuardOutput>;
export type TriggerSyncResult = z.infer<typeof triggerSyncOutput>;
export type EnrollResult = z.infer<typeof enrollOutput>;
export type Leftovers = z.infer<typeof leftovers>;
export type UnenrollResult = z.infer<typeof unenrollOutput>;
export type RemoveStaleEnrollmentResult = z.infer<typeof removeStaleEnrollmentOutput>;
export type TrustCaResult = z.infer<typeof trustCaOutput>;
export type SessionCounter = z.infer<typeof sessionCounterOutput>;
export type HostFacts = z.infer<typeof hostFactsOutput>;
export type HttpsReach = z.infer<typeof httpsReachOutput>;
export type HttpsReachFailure = (typeof httpsReachFailures)[number];
