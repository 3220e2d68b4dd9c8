/**
 * The shape of a DDF file after fast-xml-parser (attributes prefixed "@_", every text kept as a string, `Node`,
 * `MSFT:Enum`, `MSFT:DependencyGroup` and `MSFT:Dependency` always arrays). OMA DM DDF 1.2 defines the elements;
 * the `MSFT:` ones are Microsoft's DDF v2 extensions. DFProperties is strict: an element the catalogue does not know
 * fails loading instead of being dropped in silence.
 */
import { z } from 'zod';
import { ACCESS_TYPES, DF_FORMATS, OCCURRENCES } from './types.js';

/** MSFT:DynamicNodeNaming's children, in the MSFT namespace (the catalogue drops the prefix). */
const DYNAMIC_NAMING_ELEMENTS = ['MSFT:ServerGeneratedUniqueIdentifier', 'MSFT:ClientInventory', 'MSFT:UniqueName'] as const;

const empty = z.literal('');
/** Elements written as one empty child naming the value (`<DFFormat><int /></DFFormat>`). */
const oneOf = <const T extends readonly [string, ...string[]]>(names: T) =>
  z.partialRecord(z.enum(names), empty).refine((o) => Object.keys(o).length === 1, {
    message: `expected exactly one of ${names.join(', ')}`,
  });

const enumEntry = z.strictObject({
  'MSFT:Value': z.string(),
  'MSFT:ValueDescription': z.string().optional(),
});

export const rawAllowedValues = z.strictObject({
  '@_ValueType': z.enum(['None', 'ENUM', 'Flag', 'Range', 'RegEx']),
  'MSFT:Enum': z.array(enumEntry).optional(),
  'MSFT:Value': z.string().optional(),
  'MSFT:List': z.strictObject({ '@_Delimiter': z.string() }).optional(),
});
export type RawAllowedValues = z.infer<typeof rawAllowedValues>;

const rawDependency = z.strictObject({
  '@_Type': z.string().optional(),
  'MSFT:DependencyUri': z.string(),
  'MSFT:DependencyAllowedValue': z.strictObject({ '@_ValueType': z.string() }).optional(),
});

const rawDependencyBehavior = z.strictObject({
  'MSFT:DependencyGroup': z.array(
    z.strictObject({
      '@_FriendlyId': z.string().optional(),
      'MSFT:Dependency': z.array(rawDependency),
    }),
  ),
});

const rawApplicability = z.strictObject({
  'MSFT:OsBuildVersion': z.string().optional(),
  'MSFT:CspVersion': z.string().optional(),
  'MSFT:EditionAllowList': z.string().optional(),
});

export const rawDfProperties = z.strictObject({
  AccessType: z.partialRecord(z.enum(ACCESS_TYPES), empty),
  DefaultValue: z.string().optional(),
  Description: z.string().optional(),
  DFFormat: oneOf(DF_FORMATS),
  Occurrence: oneOf(OCCURRENCES),
  Scope: oneOf(['Permanent', 'Dynamic']),
  DFTitle: z.string().optional(),
  // `<MIME />` is empty in DMClient; a MIME element may carry the type as text.
  DFType: z.union([z.strictObject({ MIME: z.string() }), z.strictObject({ DDFName: z.string() })]),
  CaseSense: oneOf(['CS', 'CIS']).optional(),
  'MSFT:Applicability': rawApplicability.optional(),
  'MSFT:DynamicNodeNaming': oneOf(DYNAMIC_NAMING_ELEMENTS).optional(),
  'MSFT:AllowedValues': rawAllowedValues.optional(),
  'MSFT:ConflictResolution': z.string().optional(),
  'MSFT:DependencyBehavior': rawDependencyBehavior.optional(),
});
export type RawDfProperties = z.infer<typeof rawDfProperties>;

export interface RawNode {
  NodeName: string;
  Path?: string | undefined;
  DFProperties: RawDfProperties;
  Node?: RawNode[] | undefined;
}

export const rawNode: z.ZodType<RawNode> = z.lazy(() =>
  z.strictObject({
    NodeName: z.string(),
    Path: z.string().optional(),
    DFProperties: rawDfProperties,
    Node: z.array(rawNode).optional(),
  }),
);

export const rawDdf = z.object({
  MgmtTree: z.object({
    VerDTD: z.string(),
    Node: z.array(rawNode).min(1),
  }),
});
export type RawDdf = z.infer<typeof rawDdf>;

/** Elements fast-xml-parser must always give as arrays, so one child and many look the same. */
export const ARRAY_ELEMENTS: ReadonlySet<string> = new Set(['Node', 'MSFT:Enum', 'MSFT:DependencyGroup', 'MSFT:Dependency']);
