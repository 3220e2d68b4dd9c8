/**
 * Typed builders of Policy CSP commands for any `./Vendor/MSFT/Policy/Config/<Area>/<Policy>` (issue #12): the
 * DMClient catalogue does not hold the Policy CSP, so the suite names the policy and declares its value format
 * (int, chr or bool, as the policy's own Microsoft page gives it), and the builder checks the names and encodes the
 * value through the typed codec (harness/syncml/values.ts), never through string templates:
 *
 *   const p = policyCsp({ area: 'WindowsDefenderSecurityCenter', policy: 'CompanyName', format: 'chr' });
 *   p.replace('Contoso')
 *   // → { kind: 'Replace', Item: [{ Target: { LocURI: './Vendor/MSFT/Policy/Config/WindowsDefenderSecurityCenter/CompanyName' },
 *   //                               Meta: { Format: 'chr' }, Data: 'Contoso' }] }
 *
 * As with the DMClient builders, `.unchecked` sends any Data and Meta to the same LocURI on purpose (a negative test).
 *
 * `policyRegistryLocation` says where Windows keeps a device policy the MDM set (the values an agent reads or, to
 * provoke ConfigLock drift, changes). Microsoft's public pages do not document these keys; they are what MDM
 * troubleshooting guides and the PolicyManager keys of enrolled devices show. fixtures/facts/config-lock.yaml
 * records them as assumed until a calibration run observes them.
 */
import { decodeValue, encodeValue, type ValueByFormat } from '../syncml/values.js';
import type { Data, Item, Meta } from '../syncml/types.js';
import type { AddDraft, DeleteDraft, GetDraft, ReplaceDraft } from './dmclient-command-draft.js';
import { errors } from './errors.js';

/** The value formats Policy CSP settings use (a policy's page: "Format: int", "chr (string)", "bool"). */
export type PolicyFormat = 'int' | 'chr' | 'bool';
export const POLICY_FORMATS: readonly PolicyFormat[] = ['int', 'chr', 'bool'];

export interface PolicyOptions<F extends PolicyFormat> {
  /** The policy area, e.g. `WindowsDefenderSecurityCenter`. */
  area: string;
  /** The policy's name within its area, e.g. `CompanyName`. */
  policy: string;
  format: F;
  /** Device (default) or User tree. */
  scope?: 'Device' | 'User';
  /** Device LocURIs as `./Device/Vendor/MSFT/...` instead of Windows' usual `./Vendor/MSFT/...`. */
  explicitDeviceRoot?: boolean;
}

export interface PolicyUncheckedCommands {
  get(): GetDraft;
  add(data?: Data, options?: { meta?: Meta }): AddDraft;
  replace(data?: Data, options?: { meta?: Meta }): ReplaceDraft;
  delete(): DeleteDraft;
}

export interface PolicyCommands<F extends PolicyFormat> {
  readonly area: string;
  readonly policy: string;
  readonly format: F;
  readonly locUri: string;
  get(): GetDraft;
  add(value: ValueByFormat[F]): AddDraft;
  replace(value: ValueByFormat[F]): ReplaceDraft;
  delete(): DeleteDraft;
  /** Reads a Results item's Data as the declared format. */
  decode(data: Data | undefined): ValueByFormat[F];
  /** The same LocURI without any check: Data and Meta exactly as given (Meta defaults to the declared format). */
  readonly unchecked: PolicyUncheckedCommands;
}

const POLICY_ROOT = { Device: './Vendor/MSFT/Policy/Config', ExplicitDevice: './Device/Vendor/MSFT/Policy/Config', User: './User/Vendor/MSFT/Policy/Config' } as const;

/**
 * Area and policy names are identifiers: letters, digits and `_` (`LocalPoliciesSecurityOptions/Accounts_...`),
 * `~` (areas of ingested ADMX files, `App~Policy~Category`), `.` and `-`. Anything else would change which node the
 * LocURI names (`/`), start a query or fragment (`?`, `#`), or need escaping the LocURI does not carry.
 */
const NAME = /^[A-Za-z0-9_~.-]+$/;
const MAX_NAME = 256;

function nameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `it must be a string, received ${value === null ? 'null' : typeof value}`;
  if (value === '') return 'it is empty';
  if (value.length > MAX_NAME) return `it is ${value.length} characters long (at most ${MAX_NAME})`;
  if (value === '.' || value === '..') return 'it is a relative path segment';
  if (NAME.test(value)) return undefined;
  const bad = [...value].find((c) => !NAME.test(c))!;
  return `it contains ${JSON.stringify(bad)} (allowed: letters, digits, "_", "~", "." and "-")`;
}

function checkName(part: 'Area' | 'Policy', value: unknown): string {
  const problem = nameProblem(value);
  if (problem !== undefined) throw errors.DMC_ERR_SCRIPTING_BAD_POLICY_NAME.create({ part, value, reason: problem });
  return value as string;
}

const EXPECTED: Record<PolicyFormat, string> = {
  int: 'an integer from -2147483648 to 2147483647',
  chr: 'a string',
  bool: 'a boolean',
};

function typeName(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** The commands for one Policy CSP setting. Throws DMC_ERR_SCRIPTING_BAD_POLICY_NAME for a bad Area or Policy. */
export function policyCsp<F extends PolicyFormat>(options: PolicyOptions<F>): PolicyCommands<F> {
  const area = checkName('Area', options.area);
  const policy = checkName('Policy', options.policy);
  const format = options.format;
  if (!(POLICY_FORMATS as readonly string[]).includes(format)) {
    throw errors.DMC_ERR_SCRIPTING_POLICY_VALUE.create({
      locUri: `${POLICY_ROOT.Device}/${area}/${policy}`, format: String(format), expected: `a declared format of ${POLICY_FORMATS.join(', ')}`,
      received: format, receivedType: typeName(format),
    });
  }
  const root = options.scope === 'User' ? POLICY_ROOT.User : options.explicitDeviceRoot === true ? POLICY_ROOT.ExplicitDevice : POLICY_ROOT.Device;
  const locUri = `${root}/${area}/${policy}`;
  const item = (data: Data | undefined, meta: Meta | undefined): Item => ({
    Target: { LocURI: locUri },
    ...(meta === undefined || Object.keys(meta).length === 0 ? {} : { Meta: meta }),
    ...(data === undefined ? {} : { Data: data }),
  });
  const encode = (value: unknown): Data => {
    try {
      return encodeValue(format, value);
    } catch (err) {
      throw errors.DMC_ERR_SCRIPTING_POLICY_VALUE.create({ locUri, format, expected: EXPECTED[format], received: value, receivedType: typeName(value) }, { cause: err });
    }
  };
  const meta: Meta = { Format: format };
  const unchecked: PolicyUncheckedCommands = {
    get: () => ({ kind: 'Get', Item: [item(undefined, undefined)] }),
    add: (data, o) => ({ kind: 'Add', Item: [item(data, o?.meta ?? meta)] }),
    replace: (data, o) => ({ kind: 'Replace', Item: [item(data, o?.meta ?? meta)] }),
    delete: () => ({ kind: 'Delete', Item: [item(undefined, undefined)] }),
  };
  return {
    area,
    policy,
    format,
    locUri,
    get: unchecked.get,
    add: (value) => ({ kind: 'Add', Item: [item(encode(value), meta)] }),
    replace: (value) => ({ kind: 'Replace', Item: [item(encode(value), meta)] }),
    delete: unchecked.delete,
    decode: (data) => decodeValue(format, data) as ValueByFormat[F],
    unchecked,
  };
}

export interface RegistryValueLocation {
  /** The key in the agent's form (`HKLM:\SOFTWARE\...`). */
  path: string;
  name: string;
}

export interface PolicyRegistryLocation {
  /** The value in force, whichever provider won: `HKLM\SOFTWARE\Microsoft\PolicyManager\current\device\<Area>`. */
  current: RegistryValueLocation;
  /** This enrollment's own copy: `...\PolicyManager\providers\<EnrollmentGUID>\default\Device\<Area>`. */
  provider: RegistryValueLocation;
}

const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/**
 * Where Windows keeps a device-scope policy an MDM enrollment set (PolicyManager; the provider GUID is the
 * enrollment's ID). Assumed, not documented: see fixtures/facts/config-lock.yaml, `policy.registry-*`.
 */
export function policyRegistryLocation(area: string, policy: string, enrollmentId: string): PolicyRegistryLocation {
  checkName('Area', area);
  checkName('Policy', policy);
  if (!GUID.test(enrollmentId)) {
    throw errors.DMC_ERR_SCRIPTING_BAD_POLICY_NAME.create({ part: 'EnrollmentID', value: enrollmentId, reason: 'it must be a GUID' });
  }
  const base = 'HKLM:\\SOFTWARE\\Microsoft\\PolicyManager';
  return {
    current: { path: `${base}\\current\\device\\${area}`, name: policy },
    provider: { path: `${base}\\providers\\${enrollmentId}\\default\\Device\\${area}`, name: policy },
  };
}
