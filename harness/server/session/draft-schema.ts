/**
 * zod schemas for what the engine persists: CommandDraft (the queued commands) and their parts, spelled as the
 * SyncML types spell them. A queue file written by an older or broken run is checked against these on read.
 */
import { z } from 'zod';
import type { CommandDraft } from '../../syncml/types.js';

const locationSchema = z.object({ LocURI: z.string(), LocName: z.string().optional() }).strict();

const metaSchema = z
  .object({
    Format: z.string().optional(),
    Type: z.string().optional(),
    Size: z.string().optional(),
    MaxMsgSize: z.string().optional(),
    MaxObjSize: z.string().optional(),
    NextNonce: z.string().optional(),
    Mark: z.string().optional(),
    Version: z.string().optional(),
  })
  .strict();

const dataSchema = z.union([z.string(), z.object({ xml: z.string() }).strict()]);

const itemSchema = z
  .object({
    Target: locationSchema.optional(),
    Source: locationSchema.optional(),
    Meta: metaSchema.optional(),
    Data: dataSchema.optional(),
    MoreData: z.boolean().optional(),
  })
  .strict();

const credSchema = z.object({ Meta: metaSchema.optional(), Data: z.string() }).strict();

const itemCommand = (kind: 'Add' | 'Delete' | 'Get' | 'Replace') =>
  z
    .object({
      kind: z.literal(kind),
      NoResp: z.boolean().optional(),
      Cred: credSchema.optional(),
      Meta: metaSchema.optional(),
      Item: z.array(itemSchema),
    })
    .strict();

const execSchema = z
  .object({
    kind: z.literal('Exec'),
    NoResp: z.boolean().optional(),
    Cred: credSchema.optional(),
    Meta: metaSchema.optional(),
    Correlator: z.string().optional(),
    Item: z.array(itemSchema),
  })
  .strict();

const alertSchema = z
  .object({
    kind: z.literal('Alert'),
    NoResp: z.boolean().optional(),
    Data: z.string(),
    Correlator: z.string().optional(),
    Cred: credSchema.optional(),
    Item: z.array(itemSchema),
  })
  .strict();

const containerSchema = (kind: 'Atomic' | 'Sequence') =>
  z
    .object({
      kind: z.literal(kind),
      NoResp: z.boolean().optional(),
      Meta: metaSchema.optional(),
      commands: z.array(z.lazy((): z.ZodType<CommandDraft> => commandDraftSchema)),
    })
    .strict();

export const commandDraftSchema: z.ZodType<CommandDraft> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    itemCommand('Add'),
    itemCommand('Delete'),
    itemCommand('Get'),
    itemCommand('Replace'),
    execSchema,
    alertSchema,
    containerSchema('Atomic'),
    containerSchema('Sequence'),
  ]),
) as z.ZodType<CommandDraft>;

/**
 * Copies of `drafts` as the queue file would restore them (they are JSON data by the schema above): what a caller
 * queues is fixed when it queues it, so changing or reusing its objects afterwards changes no queued command.
 */
export function copyDrafts(drafts: readonly CommandDraft[]): CommandDraft[] {
  return JSON.parse(JSON.stringify(drafts)) as CommandDraft[];
}

/** A command waiting in a device's queue, as persisted. */
export const queuedCommandSchema = z
  .object({
    /** Unique per queued command; a sync() waiter and the result events name it. */
    ticket: z.string().min(1),
    draft: commandDraftSchema,
    enqueuedAt: z.string(),
    /** How many sessions carried it already without an answer (see the re-queue rule in device-queue.ts). */
    deliveries: z.number().int().nonnegative(),
  })
  .strict();
export type QueuedCommand = z.infer<typeof queuedCommandSchema>;

export const sessionSummarySchema = z
  .object({
    sessionId: z.string(),
    startedAt: z.string(),
    endedAt: z.string().optional(),
    /** How the session ended: the server's Status+Final, a newer session replacing it, or the engine closing. */
    end: z.enum(['completed', 'abandoned', 'closed']).optional(),
    messagesIn: z.number().int().nonnegative(),
    messagesOut: z.number().int().nonnegative(),
    commandsSent: z.number().int().nonnegative(),
    statusesReceived: z.number().int().nonnegative(),
    resultsReceived: z.number().int().nonnegative(),
    protocolErrors: z.number().int().nonnegative(),
  })
  .strict();
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const deviceFileSchema = z
  .object({
    version: z.literal(1),
    deviceId: z.string(),
    queue: z.array(queuedCommandSchema),
    /** Delivered in a session that has not answered them yet; moved back to the queue's front on open(). */
    inFlight: z.array(queuedCommandSchema),
    sessionCount: z.number().int().nonnegative(),
    sessions: z.array(sessionSummarySchema),
    devInfo: z.record(z.string(), z.string()),
    unenrolledAt: z.string().optional(),
  })
  .strict();
export type DeviceFile = z.infer<typeof deviceFileSchema>;
