/** The DMClient catalogue from Microsoft's DDF: what every layer imports for node facts. */
export { Catalog, CSP_ROOT, DEFAULT_DDF_FILE, checkApplicability, isApplicable, loadCatalog } from './catalog.js';
export type { LocUriMatch } from './catalog.js';
export { EDITION_NAMES, describeEdition, editionId } from './editions.js';
export { errors } from './errors.js';
export { compareBuilds, parseBuild, unmetBuildRequirement } from './os-build.js';
export type { OsBuild } from './os-build.js';
export * from './types.js';
export { allowedValueProblem } from './allowed-values.js';
export type { DmClientNodes } from './dmclient-nodes.generated.js';
