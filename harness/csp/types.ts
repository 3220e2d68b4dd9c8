/**
 * The typed DMClient catalogue: one `CatalogNode` per `<Node>` of Microsoft's DDF (OMA DM DDF 1.2 with the MSFT
 * extensions), kept as plain, frozen data so it can be printed as JSON and sent across process boundaries.
 */

/** Which management tree a node sits in: the DDF gives a `./Device/Vendor/MSFT` and a `./User/Vendor/MSFT` root. */
export type Scope = 'Device' | 'User';

/** OMA DM DDF 1.2 `AccessType` children. */
export const ACCESS_TYPES = ['Add', 'Copy', 'Delete', 'Exec', 'Get', 'Replace'] as const;
export type AccessType = (typeof ACCESS_TYPES)[number];

/** OMA DM DDF 1.2 `DFFormat` children; DMClient uses bool, chr, int, node and null. */
export const DF_FORMATS = ['b64', 'bin', 'bool', 'chr', 'date', 'float', 'int', 'node', 'null', 'time', 'xml'] as const;
export type DfFormat = (typeof DF_FORMATS)[number];

/** OMA DM DDF 1.2 `Occurrence` children. */
export const OCCURRENCES = ['One', 'ZeroOrOne', 'ZeroOrMore', 'OneOrMore', 'ZeroOrN', 'OneOrN'] as const;
export type Occurrence = (typeof OCCURRENCES)[number];

/** MSFT:DynamicNodeNaming children: who chooses the name of a dynamic node. */
export const DYNAMIC_NAMINGS = ['ServerGeneratedUniqueIdentifier', 'ClientInventory', 'UniqueName'] as const;
export type DynamicNaming = (typeof DYNAMIC_NAMINGS)[number];

export interface EnumValue {
  /** The value exactly as the DDF writes it ("0", "true", "0x4"). */
  value: string;
  description: string | undefined;
}

/** `MSFT:List`: the value is a list of items joined by `delimiter` (decoded: the DDF writes U+F000 as `\xF000`). */
export interface ValueList {
  delimiter: string;
  /** The Delimiter attribute as the DDF writes it. */
  delimiterAsWritten: string;
}

/**
 * `MSFT:AllowedValues` by its ValueType. The DMClient DDF uses None, ENUM, Flag (bit flags: any OR of the listed
 * values), Range (written `[min-max]`) and RegEx; a node without the element is `{ kind: 'none' }` too.
 */
export type AllowedValues =
  | { kind: 'none'; list?: ValueList }
  | { kind: 'enumeration'; values: EnumValue[]; list?: ValueList }
  | { kind: 'flags'; values: EnumValue[] }
  | { kind: 'range'; min: number; max: number; asWritten: string }
  | { kind: 'regex'; pattern: string };

export interface EditionId {
  /** The SKU id as the DDF writes it, e.g. "0x30". */
  sku: string;
  /** The numeric product type GetProductInfo / Win32_OperatingSystem.OperatingSystemSKU returns. */
  id: number;
  /** The winnt.h constant, e.g. "PRODUCT_PROFESSIONAL"; undefined for an id the table does not know. */
  name: string | undefined;
}

/** `MSFT:Applicability`, as given on this node (children inherit their ancestors' requirements). */
export interface Applicability {
  /** As written, e.g. "10.0.22621, 10.0.22000.1165". */
  osBuildVersion: string | undefined;
  /** The same, split: each entry is a minimum for its servicing branch (see `os-build.ts`). */
  osBuildVersions: string[];
  cspVersion: string | undefined;
  /** As written: SKU ids joined by ";". */
  editionAllowList: string | undefined;
  editions: EditionId[] | undefined;
}

export interface DynamicNode {
  /** The DDF `DFTitle`: the node's name in the path template, e.g. "ProviderID" for `{ProviderID}`. */
  title: string;
  naming: DynamicNaming | undefined;
}

/** One `MSFT:Dependency` of `MSFT:DependencyBehavior`. */
export interface NodeDependency {
  group: string | undefined;
  type: string | undefined;
  uri: string;
  allowedValueType: string | undefined;
}

export interface CatalogNode {
  /** DDF `Path` joined with node names; a dynamic node appears as `{DFTitle}`. */
  path: string;
  /** The path below the CSP root (`Provider/{ProviderID}/Poll/NumberOfFirstRetries`); "" for the root itself. */
  relativePath: string;
  /** `NodeName`, or `{DFTitle}` for an unnamed dynamic node. */
  name: string;
  scope: Scope;
  /** Sorted by name. */
  accessTypes: AccessType[];
  format: DfFormat;
  defaultValue: string | undefined;
  allowedValues: AllowedValues;
  applicability: Applicability | undefined;
  dynamic: DynamicNode | undefined;
  description: string | undefined;
  occurrence: Occurrence;
  /** The DDF `Scope` element (not the tree): Permanent nodes exist always, Dynamic ones are created and deleted. */
  ddfScope: 'Permanent' | 'Dynamic';
  caseSense: 'CS' | 'CIS' | undefined;
  /** `DFType`: MIME for leaves and typed interior nodes, DDFName for interior nodes named by the DDF. */
  dfType: 'MIME' | 'DDFName';
  /** The MIME type text when the DDF gives one (DMClient's `<MIME />` elements are empty). */
  mimeType: string | undefined;
  conflictResolution: string | undefined;
  dependencies: NodeDependency[];
  parent: string | undefined;
  children: string[];
}

/** What a device is, for applicability: its OS build and, optionally, its edition SKU. */
export interface DeviceFacts {
  /** "10.0.22631" or with the update revision "10.0.22631.4317". */
  build: string;
  /** SKU id (48), its hex text ("0x30") or the winnt.h name ("PRODUCT_PROFESSIONAL"); omitted: not checked. */
  edition?: number | string;
}

export type ApplicabilityVerdict = { applicable: true } | { applicable: false; reason: string };
