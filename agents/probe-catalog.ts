/**
 * The table of probes: for each, its script file in `agents/windows/`, its parameters (the `param(...)` block of
 * the script must declare exactly these, checked by `ps-parse.test.ts`) and its output schema.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ZodType } from 'zod';
import { errors } from './errors.js';
import { probeHeaderName, type ProbeDefinition } from './probe-invocation.js';
import { probeSchemas, type ProbeName } from './probe-schemas.js';

/** PowerShell parameter types a probe may declare: [string], [string[]], [int], [switch]. */
export type ProbeParamType = 'string' | 'string[]' | 'int' | 'switch';

export interface ProbeParam {
  readonly name: string;
  readonly type: ProbeParamType;
  readonly required: boolean;
  /** Never logged, never shown in a call record or an error (a password). */
  readonly secret?: boolean;
}

export interface ProbeEntry {
  readonly file: string;
  readonly params: readonly ProbeParam[];
  readonly schema: ZodType;
  /** Probes that wait for a SYSTEM task take a TimeoutSeconds argument; the SSH command timeout adds this margin. */
  readonly waitsForTask: boolean;
}

const req = (name: string, type: ProbeParamType, extra: { secret?: boolean } = {}): ProbeParam => ({ name, type, required: true, ...extra });
const opt = (name: string, type: ProbeParamType): ProbeParam => ({ name, type, required: false });
const entry = (name: ProbeName, params: ProbeParam[], waitsForTask = false): ProbeEntry => ({
  file: `${name}.ps1`,
  params,
  schema: probeSchemas[name],
  waitsForTask,
});

export const PROBES: Readonly<Record<ProbeName, ProbeEntry>> = Object.freeze({
  'os-info': entry('os-info', []),
  enrollments: entry('enrollments', []),
  'registry-read': entry('registry-read', [req('Path', 'string'), req('Name', 'string')]),
  'set-registry-value': entry('set-registry-value', [req('Path', 'string'), req('Name', 'string'), req('Kind', 'string'), req('Value', 'string')]),
  'registry-snapshot': entry('registry-snapshot', [req('Paths', 'string[]')]),
  'scheduled-tasks': entry('scheduled-tasks', [req('TaskPath', 'string')]),
  certificates: entry('certificates', [req('StorePath', 'string'), opt('AsSystem', 'switch'), opt('TimeoutSeconds', 'int')], true),
  'event-log': entry('event-log', [
    req('LogName', 'string'),
    req('Since', 'string'),
    opt('Ids', 'string[]'),
    opt('ProviderName', 'string'),
    opt('MaxEvents', 'int'),
  ]),
  tpm: entry('tpm', []),
  'device-guard': entry('device-guard', []),
  'trigger-sync': entry('trigger-sync', [req('EnrollmentId', 'string'), opt('TimeoutSeconds', 'int')], true),
  enroll: entry(
    'enroll',
    [req('DiscoveryUrl', 'string'), req('User', 'string'), req('Password', 'string', { secret: true }), opt('TimeoutSeconds', 'int')],
    true,
  ),
  unenroll: entry('unenroll', [req('EnrollmentId', 'string'), opt('TimeoutSeconds', 'int')], true),
  'remove-stale-enrollment': entry('remove-stale-enrollment', [req('EnrollmentId', 'string')]),
  'trust-ca': entry('trust-ca', [req('Certificate', 'string')]),
  'session-counter': entry('session-counter', []),
  'host-facts': entry('host-facts', []),
  'https-reach': entry('https-reach', [req('Url', 'string'), opt('TimeoutSeconds', 'int')]),
});

export const PROBE_NAMES = Object.keys(PROBES) as ProbeName[];

export function isProbeName(name: string): name is ProbeName {
  return Object.hasOwn(PROBES, name);
}

export const WINDOWS_PROBE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'windows');

const cache = new Map<ProbeName, ProbeDefinition>();

/** Reads `agents/windows/<probe>.ps1` once and checks its `# probe:` header. */
export function loadProbe(name: ProbeName): ProbeDefinition {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const file = join(WINDOWS_PROBE_DIR, PROBES[name].file);
  let script: string;
  try {
    script = readFileSync(file, 'utf8');
  } catch {
    throw errors.DMC_ERR_AGENT_PROBE_SCRIPT_NOT_FOUND.create({ probe: name, file });
  }
  if (probeHeaderName(script) !== name) throw errors.DMC_ERR_AGENT_PROBE_SCRIPT_NOT_FOUND.create({ probe: name, file });
  const definition = { name, script };
  cache.set(name, definition);
  return definition;
}

/** Names of a probe's secret parameters, so call records can show "<secret>" instead of the value. */
export function secretParams(name: ProbeName): Set<string> {
  return new Set(PROBES[name].params.filter((p) => p.secret === true).map((p) => p.name));
}
