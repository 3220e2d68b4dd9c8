/**
 * The device a suite drives. The implementation lives beside the session engine that hands it out
 * (harness/server/session/device-handle.ts: harness/server may not import harness/scripting); suites import it here.
 */
export { DeviceHandle, copyDrafts } from '../server/session/index.js';
export type {
  CommandResult,
  DeviceAlert,
  ItemStatus,
  ResultItem,
  SessionSummary,
  SessionsView,
  StatusValue,
  SyncOptions,
} from '../server/session/index.js';
export type { CommandDraft } from '../syncml/types.js';
