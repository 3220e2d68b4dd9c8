/**
 * The DMClient catalogue: every node of Microsoft's DDF, looked up by path template or by a concrete LocURI,
 * with applicability checks. `loadCatalog()` parses the DDF once per file and caches the result.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDdf } from './ddf-parse.js';
import { describeEdition, editionId } from './editions.js';
import { errors } from './errors.js';
import { parseBuild, unmetBuildRequirement } from './os-build.js';
import type { ApplicabilityVerdict, CatalogNode, DeviceFacts, Scope } from './types.js';

/** The DDF copied into the project (see data/README.md), found beside this module whatever the cwd. */
export const DEFAULT_DDF_FILE = fileURLToPath(new URL('./data/DMClient.ddf.xml', import.meta.url));

/** The CSP root of each tree, as the DDF's `Path` plus the root NodeName gives it. */
export const CSP_ROOT: Readonly<Record<Scope, string>> = Object.freeze({
  Device: './Device/Vendor/MSFT/DMClient',
  User: './User/Vendor/MSFT/DMClient',
});

export interface LocUriMatch {
  node: CatalogNode;
  scope: Scope;
  /** The concrete value of each dynamic segment, by DFTitle: `{ ProviderID: 'MyMDM' }`. */
  segments: Record<string, string>;
  locUri: string;
}

type MatchResult = { match: LocUriMatch } | { reason: string };

export class Catalog {
  readonly nodes: readonly CatalogNode[];
  readonly file: string;
  /** Time spent reading and parsing the DDF, in milliseconds. */
  readonly loadMilliseconds: number;
  readonly #byPath = new Map<string, CatalogNode>();
  readonly #children = new Map<string, CatalogNode[]>();

  constructor(nodes: CatalogNode[], file: string, loadMilliseconds: number) {
    for (const node of nodes) {
      if (this.#byPath.has(node.path)) throw errors.DMC_ERR_CSP_DUPLICATE_PATH.create({ file, path: node.path });
      this.#byPath.set(node.path, deepFreeze(node));
    }
    for (const node of nodes) this.#children.set(node.path, node.children.map((c) => this.#byPath.get(c) as CatalogNode));
    this.nodes = Object.freeze([...nodes]);
    this.file = file;
    this.loadMilliseconds = loadMilliseconds;
  }

  /** The node at a path template (`./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/Poll`); throws if none. */
  node(path: string): CatalogNode {
    const node = this.#byPath.get(path);
    if (node === undefined) throw errors.DMC_ERR_CSP_UNKNOWN_NODE.create({ path });
    return node;
  }

  find(path: string): CatalogNode | undefined {
    return this.#byPath.get(path);
  }

  /** The node at a path below the CSP root of one tree (`Provider/{ProviderID}/Poll`; "" is the root). */
  relative(scope: Scope, relativePath: string): CatalogNode {
    const path = relativePath === '' ? CSP_ROOT[scope] : `${CSP_ROOT[scope]}/${relativePath}`;
    const node = this.#byPath.get(path);
    if (node === undefined) throw errors.DMC_ERR_CSP_UNKNOWN_NODE.create({ path: relativePath, scope });
    return node;
  }

  children(node: CatalogNode): readonly CatalogNode[] {
    return this.#children.get(node.path) ?? [];
  }

  parent(node: CatalogNode): CatalogNode | undefined {
    return node.parent === undefined ? undefined : this.#byPath.get(node.parent);
  }

  /**
   * The catalogue node a concrete LocURI names. Device scope is `./Vendor/MSFT/DMClient/...` (how Windows writes
   * it) or `./Device/Vendor/MSFT/DMClient/...`; user scope is `./User/Vendor/MSFT/DMClient/...`. A segment that is
   * no named child fills the dynamic child (`{ProviderID}`), if the parent has one. A `?query` is ignored.
   */
  matchLocUri(locUri: string): LocUriMatch | undefined {
    const result = this.#match(locUri);
    return 'match' in result ? result.match : undefined;
  }

  /** Like `matchLocUri`, but throws DMC_ERR_CSP_NOT_DMCLIENT_LOCURI with the reason. */
  resolveLocUri(locUri: string): LocUriMatch {
    const result = this.#match(locUri);
    if ('reason' in result) throw errors.DMC_ERR_CSP_NOT_DMCLIENT_LOCURI.create({ locUri, reason: result.reason });
    return result.match;
  }

  #match(locUri: string): MatchResult {
    const bare = (locUri.split('?')[0] as string).replace(/^\.\//, '');
    const prefixes: Array<[string, Scope]> = [
      ['Device/Vendor/MSFT/DMClient', 'Device'],
      ['User/Vendor/MSFT/DMClient', 'User'],
      ['Vendor/MSFT/DMClient', 'Device'],
    ];
    const hit = prefixes.find(([prefix]) => bare === prefix || bare.startsWith(`${prefix}/`));
    if (hit === undefined) {
      return { reason: 'it is not under ./Vendor/MSFT/DMClient, ./Device/Vendor/MSFT/DMClient or ./User/Vendor/MSFT/DMClient' };
    }
    const [prefix, scope] = hit;
    const rest = bare.slice(prefix.length + 1);
    let node = this.#byPath.get(CSP_ROOT[scope]) as CatalogNode;
    const segments: Record<string, string> = {};
    for (const segment of rest === '' ? [] : rest.split('/')) {
      if (segment === '') return { reason: 'it has an empty segment' };
      const children = this.children(node);
      const named = children.find((c) => c.dynamic === undefined && c.name === segment);
      const dynamic = children.find((c) => c.dynamic !== undefined);
      const next = named ?? dynamic;
      if (next === undefined) return { reason: `${node.path} has no child ${JSON.stringify(segment)}` };
      if (named === undefined && dynamic?.dynamic !== undefined) segments[dynamic.dynamic.title] = segment;
      node = next;
    }
    return { match: { node, scope, segments, locUri } };
  }

  /** Whether a device can have this node: the node's and all its ancestors' MSFT:Applicability must hold. */
  checkApplicability(node: CatalogNode, device: DeviceFacts): ApplicabilityVerdict {
    const build = parseBuild(device.build);
    const edition = device.edition === undefined ? undefined : editionId(device.edition);
    for (let at: CatalogNode | undefined = node; at !== undefined; at = this.parent(at)) {
      const a = at.applicability;
      if (a === undefined) continue;
      const unmet = unmetBuildRequirement(build, a.osBuildVersions.map(parseBuild));
      if (unmet !== undefined) return { applicable: false, reason: `${at.path} ${unmet}` };
      if (edition !== undefined && a.editions !== undefined && !a.editions.some((e) => e.id === edition)) {
        return {
          applicable: false,
          reason: `${at.path} is not available on edition ${describeEdition(edition)} (MSFT:EditionAllowList ${a.editionAllowList})`,
        };
      }
    }
    return { applicable: true };
  }

  isApplicable(node: CatalogNode, device: DeviceFacts): boolean {
    return this.checkApplicability(node, device).applicable;
  }

  toJSON(): readonly CatalogNode[] {
    return this.nodes;
  }
}

const cache = new Map<string, Catalog>();

/** Loads (once per file, then from memory) the catalogue of the project's DDF or of `options.file`. */
export function loadCatalog(options: { file?: string } = {}): Catalog {
  const file = options.file ?? DEFAULT_DDF_FILE;
  const cached = cache.get(file);
  if (cached !== undefined) return cached;
  const started = performance.now();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw errors.DMC_ERR_CSP_DDF_UNREADABLE.create({ file, reason: (cause as Error).message }, { cause });
  }
  const nodes = parseDdf(text, file);
  const catalog = new Catalog(nodes, file, performance.now() - started);
  cache.set(file, catalog);
  return catalog;
}

/** `isApplicable` against the project's catalogue (the node's ancestors are looked up there). */
export function isApplicable(node: CatalogNode, device: DeviceFacts): boolean {
  return loadCatalog().isApplicable(node, device);
}

export function checkApplicability(node: CatalogNode, device: DeviceFacts): ApplicabilityVerdict {
  return loadCatalog().checkApplicability(node, device);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
