/**
 * The Agent: what the harness can observe or do inside a device, one typed operation per probe. Every operation
 * goes through `runProbe`, which builds the probe command, hands it to a transport (SSH or a local PowerShell),
 * and turns whatever came back into either schema-checked output or an error naming target, probe and evidence.
 */
import type { ZodError } from 'zod';
import { errors } from './errors.js';
import { PROBES, loadProbe, secretParams } from './probe-catalog.js';
import { encodeProbeCommand, type ProbeArgs } from './probe-invocation.js';
import type {
  Certificates, DeviceGuardInfo, EnrollResult, Enrollment, EventLog, OsInfo, ProbeName, ProbeOutput, RegistryRead, SetRegistryValueResult,
  RegistrySnapshot, RemoveStaleEnrollmentResult, ScheduledTasks, SessionCounter, TpmInfo, TriggerSyncResult,
  TrustCaResult, UnenrollResult, HostFacts, HttpsReach,
} from './probe-schemas.js';
import { diffSnapshots, type RegistryDiff } from './registry-diff.js';

export { diffSnapshots, type RegistryDiff };

/** What one command returned. `exitCode` is null when the process ended without one (killed by a signal). */
export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  durationMs: number;
  /** How many times the transport started the command (2 after one reconnect). */
  attempts: number;
}

export interface ProbeRequest {
  probe: ProbeName;
  /** The full command line; it may carry a secret argument, so it is never logged or put in an error. */
  commandLine: string;
  timeoutMs: number;
  /** False for probes that change the device (enroll, sync...): they are not run again after a dropped connection. */
  retryable: boolean;
}

export interface Transport {
  /** `user@host:port` or `local`, as shown in errors and reports. */
  readonly target: string;
  /** Rejects only with transport errors (unreachable, timeout, dropped...); a failing probe still resolves. */
  exec(request: ProbeRequest): Promise<CommandResult>;
  close(): Promise<void>;
}

/** One probe call as a report keeps it. Secret arguments appear as "<secret>". */
export interface CallRecord {
  target: string;
  probe: ProbeName;
  args: Record<string, unknown>;
  startedAt: string;
  durationMs: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  attempts: number;
  /** The error code when the call failed. */
  error?: string;
}

export type CallListener = (record: CallRecord) => void;

const STDERR_KEPT = 2000;
const STDOUT_KEPT = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 60_000;
/** Probes that wait for a SYSTEM task get the task's own timeout plus this margin. */
const TASK_MARGIN_MS = 30_000;
const HTTPS_REACH_SECONDS = 15;
const NOT_RETRYABLE = new Set<ProbeName>(['enroll', 'unenroll', 'trigger-sync']);

/**
 * PowerShell writes errors to a redirected stderr as CLIXML when its caller is another PowerShell
 * ("#< CLIXML" then <S S="Error">...</S>); this keeps the text and drops the XML so reports stay readable.
 */
export function cleanStderr(stderr: string): string {
  if (!stderr.startsWith('#< CLIXML')) return stderr.trim();
  const parts = [...stderr.matchAll(/<S S="Error">([\s\S]*?)<\/S>/g)].map((m) => m[1] ?? '');
  return parts
    .join('')
    .replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')
    .trim();
}

function checkArgs(probe: ProbeName, args: ProbeArgs): void {
  const params = PROBES[probe].params;
  for (const name of Object.keys(args)) {
    if (!params.some((p) => p.name === name)) {
      throw errors.DMC_ERR_AGENT_BAD_PROBE_ARGUMENT.create({ probe, argument: name, problem: `is not a parameter of this probe (it takes ${params.map((p) => p.name).join(', ') || 'none'})` });
    }
  }
  for (const p of params) {
    const value = args[p.name];
    if (value === undefined) {
      if (p.required) throw errors.DMC_ERR_AGENT_BAD_PROBE_ARGUMENT.create({ probe, argument: p.name, problem: 'is required' });
      continue;
    }
    const ok =
      (p.type === 'string' && typeof value === 'string') ||
      (p.type === 'string[]' && Array.isArray(value)) ||
      (p.type === 'int' && typeof value === 'number' && Number.isSafeInteger(value)) ||
      (p.type === 'switch' && typeof value === 'boolean');
    if (!ok) throw errors.DMC_ERR_AGENT_BAD_PROBE_ARGUMENT.create({ probe, argument: p.name, problem: `must be ${p.type}` });
  }
}

function redact(probe: ProbeName, args: ProbeArgs): Record<string, unknown> {
  const secret = secretParams(probe);
  return Object.fromEntries(Object.entries(args).map(([k, v]) => [k, secret.has(k) ? '<secret>' : v]));
}

function describeIssues(error: ZodError): string {
  const issues = error.issues.slice(0, 5).map((i) => `${i.path.length === 0 ? '(root)' : i.path.join('.')}: ${i.message}`);
  const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '';
  return issues.join('; ') + more;
}

function parseOutput<P extends ProbeName>(target: string, probe: P, result: CommandResult): ProbeOutput<P> {
  const stdout = result.stdout.replace(/^\uFEFF/, '').trim();
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch (err) {
    const problem = stdout === '' ? 'stdout was empty' : (err as Error).message;
    throw errors.DMC_ERR_AGENT_PROBE_OUTPUT_NOT_JSON.create({ target, probe, stdout, problem });
  }
  const parsed = PROBES[probe].schema.safeParse(json);
  if (!parsed.success) {
    throw errors.DMC_ERR_AGENT_PROBE_OUTPUT_SCHEMA.create({ target, probe, issues: describeIssues(parsed.error), stdout });
  }
  return parsed.data as ProbeOutput<P>;
}

export interface RunProbeOptions {
  timeoutMs?: number;
  onCall?: CallListener;
}

/** Runs one probe and returns its schema-checked output; every failure is a DmcError naming target and probe. */
export async function runProbe<P extends ProbeName>(transport: Transport, probe: P, args: ProbeArgs, options: RunProbeOptions = {}): Promise<ProbeOutput<P>> {
  checkArgs(probe, args);
  const entry = PROBES[probe];
  const taskSeconds = typeof args.TimeoutSeconds === 'number' ? args.TimeoutSeconds : probe === 'enroll' ? 300 : 120;
  const timeoutMs = options.timeoutMs ?? (entry.waitsForTask ? taskSeconds * 1000 + TASK_MARGIN_MS : DEFAULT_TIMEOUT_MS);
  const commandLine = encodeProbeCommand(loadProbe(probe), args);
  const startedAt = new Date();
  const record: CallRecord = {
    target: transport.target, probe, args: redact(probe, args), startedAt: startedAt.toISOString(),
    durationMs: 0, exitCode: null, stdout: '', stderr: '', attempts: 0,
  };
  try {
    const result = await transport.exec({ probe, commandLine, timeoutMs, retryable: !NOT_RETRYABLE.has(probe) });
    const stderr = cleanStderr(result.stderr);
    Object.assign(record, {
      durationMs: result.durationMs, exitCode: result.exitCode, attempts: result.attempts,
      stdout: result.stdout.slice(0, STDOUT_KEPT), stderr: stderr.slice(0, STDERR_KEPT),
    });
    if (result.exitCode !== 0) {
      throw errors.DMC_ERR_AGENT_PROBE_EXIT_NONZERO.create({ target: transport.target, probe, exitCode: result.exitCode, stderr: stderr.slice(0, STDERR_KEPT) });
    }
    return parseOutput(transport.target, probe, result);
  } catch (err) {
    record.error = (err as { code?: string }).code ?? 'UNKNOWN';
    if (record.durationMs === 0) record.durationMs = Date.now() - startedAt.getTime();
    throw err;
  } finally {
    options.onCall?.(record);
  }
}

export interface EventLogQuery {
  logName: string;
  since: Date | string;
  ids?: number[];
  providerName?: string;
  maxEvents?: number;
}

export interface Agent {
  readonly target: string;
  osInfo(): Promise<OsInfo>;
  enrollments(): Promise<Enrollment[]>;
  readRegistry(path: string, name: string): Promise<RegistryRead>;
  /** Changes one value behind the MDM's back, as a local administrator would (to provoke ConfigLock drift). */
  setRegistryValue(path: string, name: string, kind: 'REG_SZ' | 'REG_DWORD', value: string): Promise<SetRegistryValueResult>;
  snapshotRegistry(paths: string[]): Promise<RegistrySnapshot>;
  scheduledTasks(taskPath: string): Promise<ScheduledTasks>;
  /**
   * The certificates of `storePath`; with `asSystem`, as the SYSTEM account sees them (a one-shot SYSTEM task), so
   * `Cert:\CurrentUser\...` is SYSTEM's own store rather than the login's.
   */
  certificates(storePath: string, options?: { asSystem?: boolean; timeoutSeconds?: number }): Promise<Certificates>;
  eventLog(query: EventLogQuery): Promise<EventLog>;
  tpm(): Promise<TpmInfo>;
  deviceGuard(): Promise<DeviceGuardInfo>;
  triggerSync(enrollmentId: string, options?: { timeoutSeconds?: number }): Promise<TriggerSyncResult>;
  enroll(request: { discoveryUrl: string; user: string; password: string; timeoutSeconds?: number }): Promise<EnrollResult>;
  unenroll(enrollmentId: string, options?: { timeoutSeconds?: number }): Promise<UnenrollResult>;
  removeStaleEnrollment(enrollmentId: string): Promise<RemoveStaleEnrollmentResult>;
  /** `certificate`: PEM or base64 DER of a CA certificate to add to LocalMachine\Root. */
  trustCa(certificate: string): Promise<TrustCaResult>;
  sessionCounter(): Promise<SessionCounter>;
  /** The device clock, PowerShell version, elevation and OpenSSH shell of the session the probes run in. */
  hostFacts(): Promise<HostFacts>;
  /** One HTTPS GET from the device with the machine's own trust; `timeoutSeconds` defaults to 15. */
  httpsReach(url: string, options?: { timeoutSeconds?: number }): Promise<HttpsReach>;
  close(): Promise<void>;
}

const withTimeout = (args: ProbeArgs, timeoutSeconds: number | undefined): ProbeArgs =>
  timeoutSeconds === undefined ? args : { ...args, TimeoutSeconds: timeoutSeconds };

/** The Agent over any transport; SshAgent and LocalAgent only choose the transport. */
export class ProbeAgent implements Agent {
  /** Every probe call so far, for the report. */
  readonly calls: CallRecord[] = [];
  private readonly listeners: CallListener[] = [];

  constructor(protected readonly transport: Transport) {}

  get target(): string {
    return this.transport.target;
  }

  onCall(listener: CallListener): void {
    this.listeners.push(listener);
  }

  run<P extends ProbeName>(probe: P, args: ProbeArgs = {}, options: { timeoutMs?: number } = {}): Promise<ProbeOutput<P>> {
    return runProbe(this.transport, probe, args, {
      ...options,
      onCall: (record) => {
        this.calls.push(record);
        for (const listener of this.listeners) listener(record);
      },
    });
  }

  osInfo(): Promise<OsInfo> { return this.run('os-info'); }
  async enrollments(): Promise<Enrollment[]> { return (await this.run('enrollments')).enrollments; }
  readRegistry(path: string, name: string): Promise<RegistryRead> { return this.run('registry-read', { Path: path, Name: name }); }
  setRegistryValue(path: string, name: string, kind: 'REG_SZ' | 'REG_DWORD', value: string): Promise<SetRegistryValueResult> {
    return this.run('set-registry-value', { Path: path, Name: name, Kind: kind, Value: value });
  }
  snapshotRegistry(paths: string[]): Promise<RegistrySnapshot> { return this.run('registry-snapshot', { Paths: paths }); }
  scheduledTasks(taskPath: string): Promise<ScheduledTasks> { return this.run('scheduled-tasks', { TaskPath: taskPath }); }
  certificates(storePath: string, options: { asSystem?: boolean; timeoutSeconds?: number } = {}): Promise<Certificates> {
    const args: ProbeArgs = { StorePath: storePath };
    if (options.asSystem === true) Object.assign(args, withTimeout({ AsSystem: true }, options.timeoutSeconds));
    return this.run('certificates', args);
  }

  eventLog(query: EventLogQuery): Promise<EventLog> {
    const args: ProbeArgs = {
      LogName: query.logName,
      Since: typeof query.since === 'string' ? query.since : query.since.toISOString(),
    };
    if (query.ids !== undefined) args.Ids = query.ids.map(String);
    if (query.providerName !== undefined) args.ProviderName = query.providerName;
    if (query.maxEvents !== undefined) args.MaxEvents = query.maxEvents;
    return this.run('event-log', args);
  }

  tpm(): Promise<TpmInfo> { return this.run('tpm'); }
  deviceGuard(): Promise<DeviceGuardInfo> { return this.run('device-guard'); }

  triggerSync(enrollmentId: string, options: { timeoutSeconds?: number } = {}): Promise<TriggerSyncResult> {
    return this.run('trigger-sync', withTimeout({ EnrollmentId: enrollmentId }, options.timeoutSeconds));
  }

  enroll(request: { discoveryUrl: string; user: string; password: string; timeoutSeconds?: number }): Promise<EnrollResult> {
    const args = { DiscoveryUrl: request.discoveryUrl, User: request.user, Password: request.password };
    return this.run('enroll', withTimeout(args, request.timeoutSeconds));
  }

  unenroll(enrollmentId: string, options: { timeoutSeconds?: number } = {}): Promise<UnenrollResult> {
    return this.run('unenroll', withTimeout({ EnrollmentId: enrollmentId }, options.timeoutSeconds));
  }

  removeStaleEnrollment(enrollmentId: string): Promise<RemoveStaleEnrollmentResult> {
    return this.run('remove-stale-enrollment', { EnrollmentId: enrollmentId });
  }

  trustCa(certificate: string): Promise<TrustCaResult> {
    // One base64 line keeps the command short (cmd.exe takes 8191 characters at most).
    const base64 = certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
    return this.run('trust-ca', { Certificate: base64 });
  }

  sessionCounter(): Promise<SessionCounter> { return this.run('session-counter'); }
  hostFacts(): Promise<HostFacts> { return this.run('host-facts'); }

  httpsReach(url: string, options: { timeoutSeconds?: number } = {}): Promise<HttpsReach> {
    const seconds = options.timeoutSeconds ?? HTTPS_REACH_SECONDS;
    // The request's own timeout ends the probe first; the margin covers PowerShell starting over SSH.
    return this.run('https-reach', { Url: url, TimeoutSeconds: seconds }, { timeoutMs: seconds * 1000 + TASK_MARGIN_MS });
  }

  close(): Promise<void> { return this.transport.close(); }
}
