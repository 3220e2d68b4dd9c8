/** What a suite writes: `await device.sync([...drafts])`, typed results, and the readers of those results. */
export * from './device.js';
export { expectStatus, valueOf, resultFor } from './results.js';
export { errors as scriptingErrors } from './errors.js';
export {
  policyCsp,
  policyRegistryLocation,
  POLICY_FORMATS,
  type PolicyCommands,
  type PolicyFormat,
  type PolicyOptions,
  type PolicyRegistryLocation,
} from './policy-builders.js';
