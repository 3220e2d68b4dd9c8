/**
 * The preparation of message-signing.spec.ts (run with the other suites' steps: fixtures/conformance/session-plan.ts).
 *
 * Signing: a session reads RequireMessageSigning (it must be unsigned), a later one sets it true; the next session, which must be
 * signed from its first message on, turns it off again and carries no other step's commands (a message that does
 * not verify is refused, and would take them down with it); the session after must be unsigned. Each window is
 * judged from the server's transcript: every management exchange of this device in it, whichever step's session.
 *
 * Keep-alive: the value read, then set true and read back in a later session. The slow command that needs it
 * (DMC-SIGN-012) runs in its test, after the plan.
 */
import { prepare, signatureHeader, type CommandResult, type ConformanceMdm, type ConformanceDevice } from '../../fixtures/conformance.js';

export const SIGNING = 'Provider/{ProviderID}/RequireMessageSigning';
export const KEEP_ALIVE = 'Provider/{ProviderID}/EnableOmaDmKeepAliveMessage';
/** dmclient-csp.md#provider-providerid-enableomadmkeepalivemessage, the example message. */
export const REQUEST_PENDING_TYPE = 'Reversed-Domain-Name:com.microsoft.mdm.requestpending';

/** One line of the server's transcript (harness/server/transcript.ts, TranscriptLine). */
export type Exchange = Awaited<ReturnType<ConformanceMdm['transcripts']['exchangesOf']>>[number];

/**
 * The management exchanges of this device the server recorded from `since` on, in sessions that began then, refused ones included (a message
 * whose signature does not verify never reaches the session engine, but its exchange is in the transcript).
 */
async function exchangesSince(mdm: ConformanceMdm, device: ConformanceDevice, since: string): Promise<Exchange[]> {
  await mdm.transcripts.flush();
  const all = await mdm.transcripts.exchangesOf(device.deviceId);
  // Only sessions that started from `since` on: a session the device began on its own before the change (its poll
  // schedule) keeps the signing it started with, and its later messages say nothing about the next session.
  const startedBefore = new Set(all.filter((e) => e.at < since && e.sessionId != null).map((e) => e.sessionId));
  return all.filter((e) => e.at >= since && !(e.sessionId != null && startedBefore.has(e.sessionId))).sort((a, b) => a.at.localeCompare(b.at));
}

/** The message's signature under either name Microsoft gives the header (MDM-Signature, MS-Signature), as the server reads it. */
export const signatureOf = (e: Exchange): string | undefined => signatureHeader(e.request.headers);


export interface SigningRun {
  initial: CommandResult;
  unsigned: Exchange[];
  enable: { replace: CommandResult; get: CommandResult };
  signed: Exchange[];
  disable: CommandResult | undefined;
  afterDisable: Exchange[];
}

export const signing = prepare('message-signing/require-message-signing', ['DMC-SIGN-001', 'DMC-SIGN-002', 'DMC-SIGN-003', 'DMC-SIGN-004'], async ({ device, mdm }): Promise<SigningRun> => {
  const node = device.node(SIGNING);
  let since = new Date().toISOString();
  const [initial] = await device.sync([node.get()]);
  const unsigned = await exchangesSince(mdm, device, since);
  const [replace, get] = await device.sync([node.replace(true), node.get()]);
  // The next session is the first that must be signed from its first message on.
  since = new Date().toISOString();
  // A device whose signature does not verify is refused by the server, so its commands are never answered:
  // that outcome is what DMC-SIGN-003 judges from the transcript, not a fault of this step.
  const answers = await device.sync([node.replace(false)], { timeout: 60_000, alone: true }).catch(() => undefined);
  const signed = await exchangesSince(mdm, device, since);
  since = new Date().toISOString();
  // The session after: unsigned. Its Replace false leaves the enrollment unsigned (the DDF and reference default)
  // for the suites after this one, also when the signed session was refused.
  await device.sync([node.get(), node.replace(false)]);
  const afterDisable = await exchangesSince(mdm, device, since);
  return { initial: initial!, unsigned, enable: { replace: replace!, get: get! }, signed, disable: answers?.[0], afterDisable };
});

export const keepAlive = prepare('message-signing/keep-alive', ['DMC-SIGN-010', 'DMC-SIGN-011'], async ({ device }) => {
  const [initial] = await device.sync([device.node(KEEP_ALIVE).get()]);
  const alertsBeforeEnable = requestPending(device).length;
  const [replace, get] = await device.sync([device.node(KEEP_ALIVE).replace(true), device.node(KEEP_ALIVE).get()]);
  return { initial: initial!, alertsBeforeEnable, enable: { replace: replace!, get: get! } };
});

export function requestPending(device: ConformanceDevice): ReturnType<ConformanceDevice['mdm']['alerts']> {
  return device.mdm.alerts().filter((a) => a.code === '1224' && a.types.includes(REQUEST_PENDING_TYPE));
}

export const steps = [signing, keepAlive];
