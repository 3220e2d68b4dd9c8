/**
 * The preparation of sync-version.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts).
 * Two sessions: the starting state read and the version raised to 2.0 (the Gets come first in the session), then
 * a later session that tries to bring it back. A registry snapshot before, between and after.
 */
import { prepare, type CommandResult } from '../../fixtures/conformance.js';
import { enrollmentRegistryRoots, type RegistrySnapshot } from './support.js';

export const SYNC = 'Provider/{ProviderID}/SyncApplicationVersion';
export const MAX = 'Provider/{ProviderID}/MaxSyncApplicationVersion';

export interface SyncVersionRun {
  before: { sync: CommandResult; max: CommandResult };
  raise: { replace: CommandResult; get: CommandResult };
  back: { replace: CommandResult; get: CommandResult; del: CommandResult; afterDelete: CommandResult };
  registryBefore: RegistrySnapshot;
  registryAfterRaise: RegistrySnapshot;
  registryAfterBack: RegistrySnapshot;
}

export const syncVersion = prepare(
  'sync-version/one-way',
  ['DMC-SYNCVER-001', 'DMC-SYNCVER-002', 'DMC-SYNCVER-003', 'DMC-SYNCVER-004', 'DMC-SYNCVER-005', 'DMC-SYNCVER-006'],
  async ({ device, agent }): Promise<SyncVersionRun> => {
    const roots = enrollmentRegistryRoots(device.enrollmentId);
    const registryBefore = await agent.snapshotRegistry(roots);
    const [sync, max, replace, get] = await device.sync([
      device.node(SYNC).get(),
      device.node(MAX).get(),
      device.node(SYNC).replace('2.0'),
      device.node(SYNC).get(),
    ]);
    const registryAfterRaise = await agent.snapshotRegistry(roots);
    // A later session: the Replace back to 1.0 and the Delete (which would restore the DDF default 1.0).
    const [replaceBack, getBack, del, afterDelete] = await device.sync([
      device.node(SYNC).replace('1.0'),
      device.node(SYNC).get(),
      device.node(SYNC).delete(),
      device.node(SYNC).get(),
    ]);
    const registryAfterBack = await agent.snapshotRegistry(roots);
    return {
      before: { sync: sync!, max: max! },
      raise: { replace: replace!, get: get! },
      back: { replace: replaceBack!, get: getBack!, del: del!, afterDelete: afterDelete! },
      registryBefore,
      registryAfterRaise,
      registryAfterBack,
    };
  },
);

export const steps = [syncVersion];
