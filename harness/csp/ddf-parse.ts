/**
 * DDF text → catalogue nodes. Steps: 1. drop a leading BOM; 2. drop a DOCTYPE whose internal subset holds only
 * processing instructions (Microsoft's DDFs carry `[<?oma-dm-ddf-ver supported-versions="1.2"?>]`, which
 * fast-xml-parser's DOCTYPE reader rejects, and which declares nothing that changes the document); 3. check the XML
 * is well formed; 4. parse with every value kept as text; 5. check the shape with zod; 6. walk the tree.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { z } from 'zod';
import { errors } from './errors.js';
import { parseSku } from './editions.js';
import { ARRAY_ELEMENTS, rawDdf, type RawAllowedValues, type RawDfProperties, type RawNode } from './ddf-schema.js';
import { parseBuild, splitBuildRequirement } from './os-build.js';
import type { AccessType, AllowedValues, Applicability, CatalogNode, DfFormat, DynamicNaming, Scope, ValueList } from './types.js';

const PI_ONLY_DOCTYPE = /<!DOCTYPE\s+MgmtTree\b[^[>]*\[(?:\s*<\?[^?]*\?>)*\s*\]\s*>/;
const ROOT_PATH = /^\.\/(Device|User)\/Vendor\/MSFT$/;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAY_ELEMENTS.has(name),
});

export function parseDdf(text: string, file: string): CatalogNode[] {
  const xml = text.replace(/^\uFEFF/, '').replace(PI_ONLY_DOCTYPE, '');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw errors.DMC_ERR_CSP_DDF_MALFORMED.create({ file, reason: `line ${valid.err.line}: ${valid.err.msg}` });
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (cause) {
    throw errors.DMC_ERR_CSP_DDF_MALFORMED.create({ file, reason: (cause as Error).message }, { cause });
  }
  const checked = rawDdf.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0] as z.core.$ZodIssue;
    throw errors.DMC_ERR_CSP_DDF_SHAPE.create({ file, at: issuePath(issue.path), issue: issue.message });
  }
  const nodes: CatalogNode[] = [];
  for (const root of checked.data.MgmtTree.Node) {
    const m = ROOT_PATH.exec(root.Path ?? '');
    if (m === null) {
      throw errors.DMC_ERR_CSP_DDF_SHAPE.create({
        file,
        at: `MgmtTree/Node[NodeName=${root.NodeName}]/Path`,
        issue: `expected ./Device/Vendor/MSFT or ./User/Vendor/MSFT, received ${JSON.stringify(root.Path ?? null)}`,
      });
    }
    walk(root, { file, scope: m[1] as Scope, parentPath: root.Path as string, rootPath: undefined, parent: undefined }, nodes);
  }
  return nodes;
}

interface WalkContext {
  file: string;
  scope: Scope;
  parentPath: string;
  /** The CSP root's path, to compute relative paths; undefined while at the root. */
  rootPath: string | undefined;
  parent: CatalogNode | undefined;
}

function walk(raw: RawNode, ctx: WalkContext, out: CatalogNode[]): void {
  const p = raw.DFProperties;
  const title = p.DFTitle;
  if (raw.NodeName === '' && title === undefined) {
    throw shapeError(ctx, `${ctx.parentPath}/?`, 'an unnamed (dynamic) node has no DFTitle to name it by');
  }
  const name = raw.NodeName === '' ? `{${title}}` : raw.NodeName;
  const path = `${ctx.parentPath}/${name}`;
  const node: CatalogNode = {
    path,
    relativePath: ctx.rootPath === undefined ? '' : path.slice(ctx.rootPath.length + 1),
    name,
    scope: ctx.scope,
    accessTypes: (Object.keys(p.AccessType) as AccessType[]).sort(),
    format: only(p.DFFormat) as DfFormat,
    defaultValue: p.DefaultValue,
    allowedValues: allowedValues(p['MSFT:AllowedValues'], { ...ctx, parentPath: path }),
    applicability: applicability(p, { ...ctx, parentPath: path }),
    dynamic:
      raw.NodeName === '' && title !== undefined
        ? {
            title,
            naming:
              p['MSFT:DynamicNodeNaming'] === undefined
                ? undefined
                : (only(p['MSFT:DynamicNodeNaming']).replace(/^MSFT:/, '') as DynamicNaming),
          }
        : undefined,
    description: p.Description === undefined || p.Description === '' ? undefined : p.Description,
    occurrence: only(p.Occurrence),
    ddfScope: only(p.Scope),
    caseSense: p.CaseSense === undefined ? undefined : only(p.CaseSense),
    dfType: 'MIME' in p.DFType ? 'MIME' : 'DDFName',
    mimeType: 'MIME' in p.DFType && p.DFType.MIME !== '' ? p.DFType.MIME : undefined,
    conflictResolution: p['MSFT:ConflictResolution'],
    dependencies: (p['MSFT:DependencyBehavior']?.['MSFT:DependencyGroup'] ?? []).flatMap((g) =>
      g['MSFT:Dependency'].map((d) => ({
        group: g['@_FriendlyId'],
        type: d['@_Type'],
        uri: d['MSFT:DependencyUri'],
        allowedValueType: d['MSFT:DependencyAllowedValue']?.['@_ValueType'],
      })),
    ),
    parent: ctx.parent?.path,
    children: [],
  };
  ctx.parent?.children.push(path);
  out.push(node);
  const childCtx: WalkContext = { ...ctx, parentPath: path, rootPath: ctx.rootPath ?? path, parent: node };
  for (const child of raw.Node ?? []) walk(child, childCtx, out);
}

function only<K extends string>(record: Partial<Record<K, string>>): K {
  return Object.keys(record)[0] as K;
}

function allowedValues(raw: RawAllowedValues | undefined, ctx: WalkContext): AllowedValues {
  if (raw === undefined) return { kind: 'none' };
  const list = raw['MSFT:List'] === undefined ? undefined : valueList(raw['MSFT:List']['@_Delimiter']);
  const entries = (raw['MSFT:Enum'] ?? []).map((e) => ({ value: e['MSFT:Value'], description: e['MSFT:ValueDescription'] }));
  const value = raw['MSFT:Value'];
  switch (raw['@_ValueType']) {
    case 'None':
      return list === undefined ? { kind: 'none' } : { kind: 'none', list };
    case 'ENUM':
      return list === undefined ? { kind: 'enumeration', values: entries } : { kind: 'enumeration', values: entries, list };
    case 'Flag':
      return { kind: 'flags', values: entries };
    case 'Range': {
      // MSFT DDF v2 writes a range as "[min-max]".
      const m = /^\[(-?\d+)-(-?\d+)\]$/.exec(value ?? '');
      if (m === null || Number(m[1]) > Number(m[2])) {
        throw shapeError(ctx, ctx.parentPath, `the Range allowed value ${JSON.stringify(value ?? null)} is not [min-max]`);
      }
      return { kind: 'range', min: Number(m[1]), max: Number(m[2]), asWritten: value as string };
    }
    case 'RegEx':
      if (value === undefined) throw shapeError(ctx, ctx.parentPath, 'the RegEx allowed value has no MSFT:Value');
      try {
        new RegExp(value);
      } catch {
        throw shapeError(ctx, ctx.parentPath, `the RegEx allowed value ${JSON.stringify(value)} is not a usable pattern`);
      }
      return { kind: 'regex', pattern: value };
  }
}

function valueList(asWritten: string): ValueList {
  // The DDF writes the delimiter in C escape notation ("\xF000", Windows' CSP_LIST_DELIMITER).
  const hex = /^\\x([0-9a-f]{1,4})$/i.exec(asWritten);
  return { delimiter: hex === null ? asWritten : String.fromCharCode(Number.parseInt(hex[1] as string, 16)), delimiterAsWritten: asWritten };
}

function applicability(p: RawDfProperties, ctx: WalkContext): Applicability | undefined {
  const raw = p['MSFT:Applicability'];
  if (raw === undefined) return undefined;
  const osBuildVersion = raw['MSFT:OsBuildVersion'];
  const osBuildVersions = osBuildVersion === undefined ? [] : splitBuildRequirement(osBuildVersion);
  for (const entry of osBuildVersions) {
    try {
      parseBuild(entry);
    } catch {
      throw shapeError(ctx, ctx.parentPath, `MSFT:OsBuildVersion entry ${JSON.stringify(entry)} is not a build number`);
    }
  }
  const list = raw['MSFT:EditionAllowList'];
  const skus = list === undefined ? undefined : list.split(';').map((s) => s.trim()).filter((s) => s !== '');
  const editions = skus?.map((sku) => {
    const parsed = parseSku(sku);
    if (parsed === undefined) throw shapeError(ctx, ctx.parentPath, `MSFT:EditionAllowList entry ${JSON.stringify(sku)} is not hex`);
    return parsed;
  });
  return { osBuildVersion, osBuildVersions, cspVersion: raw['MSFT:CspVersion'], editionAllowList: list, editions };
}

function shapeError(ctx: WalkContext, at: string, issue: string) {
  return errors.DMC_ERR_CSP_DDF_SHAPE.create({ file: ctx.file, at, issue });
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : `/${String(s)}`)).join('').replace(/^\//, '');
}
