/**
 * Typed builders of DMClient commands, read from the catalogue, so a suite never writes a LocURI or a Meta.Format
 * by hand:
 *
 *   const dm = dmclient({ scope: 'Device', providerId: 'DMCTest' });
 *   dm.node('Provider/{ProviderID}/Poll/NumberOfFirstRetries').replace(5)
 *   // → { kind: 'Replace', Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCTest/Poll/NumberOfFirstRetries' },
 *   //                               Meta: { Format: 'int' }, Data: '5' }] }
 *
 * Paths, value types and operations are checked at compile time (from `dmclient-nodes.generated.ts`) and again at
 * run time (from the catalogue), where a wrong one throws a DmcError. A conformance test that must send what the
 * DDF forbids (Replace on a Get-only node, a chr value to an int node, a value out of range) says so through
 * `.unchecked`, and `rawCommand` sends any LocURI at all.
 */
import { CSP_ROOT, loadCatalog, type Catalog } from '../csp/catalog.js';
import { allowedValueProblem } from '../csp/allowed-values.js';
import type { DmClientNodes } from '../csp/dmclient-nodes.generated.js';
import { errors } from '../csp/errors.js';
import type { AccessType, CatalogNode, Scope } from '../csp/types.js';
import { decodeValue, encodeValue, type MetaFormat, type ValueByFormat } from '../syncml/values.js';
import type { Data, Item, Meta } from '../syncml/types.js';
import type { AddDraft, DeleteDraft, ExecDraft, GetDraft, ReplaceDraft } from './dmclient-command-draft.js';

export type NodePath<S extends Scope> = keyof DmClientNodes[S] & string;
type Entry<S extends Scope, P extends NodePath<S>> = DmClientNodes[S][P] extends { format: infer F; access: infer A }
  ? { format: F; access: A }
  : never;
type FormatOf<S extends Scope, P extends NodePath<S>> = Entry<S, P>['format'];
type AccessOf<S extends Scope, P extends NodePath<S>> = Entry<S, P>['access'];

/** The value of a node of DDF format F, written or read (see harness/syncml/values.ts). */
export type ValueOf<F> = F extends MetaFormat ? ValueByFormat[F] : never;
/** What an operation takes: interior (node) and null-format nodes take no value. */
type ValueArgs<F> = F extends 'node' | 'null' ? [] : [value: ValueOf<F>];
/** Exec on a null-format node may carry chr data (DMClient CSP, Provider/ProviderID/Unenroll example). */
type ExecArgs<F> = F extends 'null' ? [data?: string] : F extends 'node' ? [] : [value: ValueOf<F>];
type Allowed<A, Op extends AccessType, Fn> = Op extends A ? Fn : never;

export interface NodeCommands<S extends Scope, P extends NodePath<S>> {
  readonly node: CatalogNode;
  /** The concrete LocURI, dynamic segments filled in. */
  readonly locUri: string;
  readonly get: Allowed<AccessOf<S, P>, 'Get', () => GetDraft>;
  readonly add: Allowed<AccessOf<S, P>, 'Add', (...value: ValueArgs<FormatOf<S, P>>) => AddDraft>;
  readonly replace: Allowed<AccessOf<S, P>, 'Replace', (value: ValueOf<FormatOf<S, P>>) => ReplaceDraft>;
  readonly delete: Allowed<AccessOf<S, P>, 'Delete', () => DeleteDraft>;
  readonly exec: Allowed<AccessOf<S, P>, 'Exec', (...value: ExecArgs<FormatOf<S, P>>) => ExecDraft>;
  /** Reads a Results item's Data as this node's format. */
  decode(data: Data | undefined): ValueOf<FormatOf<S, P>>;
  /** The same LocURI without any check: Data text and Meta exactly as given (Meta defaults to the DDF format). */
  readonly unchecked: UncheckedCommands;
}

export interface UncheckedOptions {
  /** Replaces the Meta the catalogue would give; `{}` sends no Meta.Format at all. */
  meta?: Meta;
}

export interface UncheckedCommands {
  get(): GetDraft;
  add(data?: Data, options?: UncheckedOptions): AddDraft;
  replace(data?: Data, options?: UncheckedOptions): ReplaceDraft;
  delete(): DeleteDraft;
  exec(data?: Data, options?: UncheckedOptions): ExecDraft;
}

export interface DmClientOptions<S extends Scope> {
  scope: S;
  /** Fills `{ProviderID}`. */
  providerId?: string;
  /** Fills other dynamic segments by DFTitle. */
  segments?: Record<string, string>;
  /** Device LocURIs as `./Device/Vendor/MSFT/...` instead of Windows' usual `./Vendor/MSFT/...`. */
  explicitDeviceRoot?: boolean;
  catalog?: Catalog;
}

export interface DmClientBuilder<S extends Scope> {
  readonly scope: S;
  /** The commands for one node, by its path below the CSP root (`Provider/{ProviderID}/Poll`; '' is the root). */
  node<P extends NodePath<S>>(path: P): NodeCommands<S, P>;
}

export function dmclient<S extends Scope>(options: DmClientOptions<S>): DmClientBuilder<S> {
  const catalog = options.catalog ?? loadCatalog();
  const segments: Record<string, string> = { ...options.segments };
  if (options.providerId !== undefined) segments.ProviderID = options.providerId;
  const root =
    options.scope === 'Device' ? (options.explicitDeviceRoot === true ? CSP_ROOT.Device : './Vendor/MSFT/DMClient') : CSP_ROOT.User;
  return {
    scope: options.scope,
    node<P extends NodePath<S>>(path: P): NodeCommands<S, P> {
      const node = catalog.relative(options.scope, path);
      const locUri = fillSegments(node.relativePath, segments, root);
      return nodeCommands(node, locUri) as unknown as NodeCommands<S, P>;
    },
  };
}

function fillSegments(relativePath: string, segments: Record<string, string>, root: string): string {
  const filled = relativePath.replace(/\{([^}]+)\}/g, (_m, title: string) => {
    const value = segments[title];
    if (value === undefined) {
      throw errors.DMC_ERR_CSP_UNFILLED_SEGMENT.create({
        path: relativePath,
        segment: title,
        option: title === 'ProviderID' ? 'providerId' : `segments.${title}`,
      });
    }
    const problem = segmentProblem(value);
    if (problem !== undefined) throw errors.DMC_ERR_CSP_BAD_SEGMENT.create({ segment: title, value, reason: problem });
    return value;
  });
  return filled === '' ? root : `${root}/${filled}`;
}

function segmentProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'it must be a non-empty string';
  // "." and ".." would name another node (OMA-DM LocURIs are paths); a control character cannot be sent at all.
  // No narrower whitelist: a ProviderID may hold spaces ("MS DM Server", Intune's).
  if (value === '.' || value === '..') return 'it is a relative path segment';
  // A "/" would change which node the LocURI names; "?" starts a query; "#" a fragment.
  const bad = /[/?#\u0000-\u001f\u007f]/.exec(value);
  return bad === null ? undefined : `it contains ${JSON.stringify(bad[0])}`;
}

function nodeCommands(node: CatalogNode, locUri: string) {
  const format = node.format;
  const item = (data: Data | undefined, meta: Meta | undefined): Item => ({
    Target: { LocURI: locUri },
    ...(meta === undefined || Object.keys(meta).length === 0 ? {} : { Meta: meta }),
    ...(data === undefined ? {} : { Data: data }),
  });
  const ddfMeta = (f: string = format): Meta => ({ Format: f, ...(node.mimeType === undefined ? {} : { Type: node.mimeType }) });
  const allow = (operation: AccessType) => {
    if (!node.accessTypes.includes(operation)) {
      throw errors.DMC_ERR_CSP_OPERATION_NOT_ALLOWED.create({ locUri, operation, accessTypes: [...node.accessTypes] });
    }
  };
  /** Encodes a value per the DDF format and checks it against MSFT:AllowedValues. */
  const encode = (value: unknown): string => {
    let data: Data;
    try {
      data = encodeValue(format, value);
    } catch (err) {
      const expected = (err as { fields?: { expected?: string } }).fields?.expected ?? `a ${format} value`;
      throw errors.DMC_ERR_CSP_VALUE_TYPE.create({ locUri, format, expected, received: value, receivedType: typeName(value) }, { cause: err });
    }
    const text = typeof data === 'string' ? data : data.xml;
    const problem = allowedValueProblem(node, text);
    if (problem !== undefined) throw errors.DMC_ERR_CSP_VALUE_NOT_ALLOWED.create({ locUri, value: text, reason: problem });
    return text;
  };
  const valued = (args: unknown[]): { data?: Data; meta: Meta } =>
    format === 'node' || format === 'null' ? { meta: ddfMeta() } : { data: encode(args[0]), meta: ddfMeta() };
  const unchecked: UncheckedCommands = {
    get: () => ({ kind: 'Get', Item: [item(undefined, undefined)] }),
    add: (data, o) => ({ kind: 'Add', Item: [item(data, o?.meta ?? ddfMeta())] }),
    replace: (data, o) => ({ kind: 'Replace', Item: [item(data, o?.meta ?? ddfMeta())] }),
    delete: () => ({ kind: 'Delete', Item: [item(undefined, undefined)] }),
    exec: (data, o) => ({ kind: 'Exec', Item: [item(data, o?.meta ?? (data === undefined ? undefined : ddfMeta()))] }),
  };
  return {
    node,
    locUri,
    get: (): GetDraft => (allow('Get'), unchecked.get()),
    add: (...args: unknown[]): AddDraft => {
      allow('Add');
      const { data, meta } = valued(args);
      return { kind: 'Add', Item: [item(data, meta)] };
    },
    replace: (value: unknown): ReplaceDraft => {
      allow('Replace');
      const { data, meta } = valued([value]);
      return { kind: 'Replace', Item: [item(data, meta)] };
    },
    delete: (): DeleteDraft => (allow('Delete'), unchecked.delete()),
    exec: (...args: unknown[]): ExecDraft => {
      allow('Exec');
      if (format === 'null') {
        const data = args[0];
        if (data === undefined) return { kind: 'Exec', Item: [item(undefined, undefined)] };
        if (typeof data !== 'string') {
          throw errors.DMC_ERR_CSP_VALUE_TYPE.create({ locUri, format, expected: 'no value or chr data (a string)', received: data, receivedType: typeName(data) });
        }
        // The reference's Unenroll example sends the provider ID as chr data to this null-format node.
        return { kind: 'Exec', Item: [item(data, ddfMeta('chr'))] };
      }
      const { data, meta } = valued(args);
      return { kind: 'Exec', Item: [item(data, meta)] };
    },
    decode: (data: Data | undefined): unknown => {
      try {
        return decodeValue(format, data);
      } catch (err) {
        throw errors.DMC_ERR_CSP_UNDECODABLE_VALUE.create({ locUri, format, data: typeof data === 'object' ? data.xml : data }, { cause: err });
      }
    },
    unchecked,
  };
}

export interface RawCommandSpec {
  kind: 'Add' | 'Delete' | 'Exec' | 'Get' | 'Replace';
  /** Any LocURI, in or out of the catalogue, well formed or not. */
  locUri: string;
  data?: Data;
  meta?: Meta;
}

/** A command with no catalogue behind it, for negative tests (a LocURI that names no node, a bogus Meta). */
export function rawCommand(spec: RawCommandSpec): AddDraft | DeleteDraft | ExecDraft | GetDraft | ReplaceDraft {
  const item: Item = {
    Target: { LocURI: spec.locUri },
    ...(spec.meta === undefined ? {} : { Meta: spec.meta }),
    ...(spec.data === undefined ? {} : { Data: spec.data }),
  };
  return { kind: spec.kind, Item: [item] };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return 'Uint8Array';
  return Array.isArray(value) ? 'array' : typeof value;
}
