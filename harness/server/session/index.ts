/** The OMA-DM session engine: what harness/server's HTTP layer and harness/scripting import. */
export { SessionEngine } from './engine.js';
export type { AuthOutcome, ManagementRequest, SessionEngineOptions } from './engine.js';
export { DeviceHandle } from './device-handle.js';
export type { SessionsView, SyncOptions } from './device-handle.js';
export type { CommandResult, ItemStatus, ResultItem, StatusValue } from './delivery.js';
export { copyDrafts } from './draft-schema.js';
export type { SessionSummary } from './draft-schema.js';
export type { DeviceAlert, SessionEvents, SessionEventName } from './events.js';
export { errors as sessionErrors } from './errors.js';
export { errorReply } from './error-reply.js';
