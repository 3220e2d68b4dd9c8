/**
 * RequireMessageSigning and EnableOmaDmKeepAliveMessage (dmclient-csp.md).
 *
 * Signing: "When enabled, every SyncML message from the device will carry an additional HTTP header named
 * MDM-Signature ... a Detached Signature of the complete SyncML message". The harness server verifies any
 * MDM-Signature it receives against the enrollment's certificate and refuses the message when it does not verify
 * (harness/server device-auth), so a signed message the server answered with HTTP 200 is a verified one. The
 * HTTP headers are read from the server's transcript of each session.
 *
 * Keep-alive: with EnableOmaDmKeepAliveMessage true the device sends Alert 1224 with Meta.Type
 * Reversed-Domain-Name:com.microsoft.mdm.requestpending while a command takes too long; by default it does not.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { conformance, expect, skipNotApplicable, type CommandResult, type ConformanceMdm, type ConformanceDevice } from '../../fixtures/conformance.js';
import { code, data } from './support.js';

const SIGNING = 'Provider/{ProviderID}/RequireMessageSigning';
const KEEP_ALIVE = 'Provider/{ProviderID}/EnableOmaDmKeepAliveMessage';
/** dmclient-csp.md#provider-providerid-enableomadmkeepalivemessage, the example message. */
const REQUEST_PENDING_TYPE = 'Reversed-Domain-Name:com.microsoft.mdm.requestpending';

/** One line of the server's transcript (harness/server/transcript.ts), the fields this suite reads. */
const exchangeLine = z.object({
  at: z.string(),
  endpoint: z.string(),
  sessionId: z.string().optional().nullable(),
  request: z.object({ headers: z.record(z.string(), z.unknown()) }),
  response: z.object({ status: z.number() }),
  errorCode: z.string().optional().nullable(),
});
type Exchange = z.infer<typeof exchangeLine>;

/**
 * The management exchanges of this device the server recorded from `since` on, refused ones included (a message
 * whose signature does not verify never reaches the session engine, but its exchange is in the transcript).
 */
async function exchangesSince(mdm: ConformanceMdm, device: ConformanceDevice, since: string): Promise<Exchange[]> {
  await mdm.transcripts.flush();
  const dir = dirname(mdm.transcripts.pathFor(device.deviceId, 'any'));
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl'));
  const out: Exchange[] = [];
  for (const file of files) {
    const text = await readFile(join(dir, file), 'utf8');
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      const parsed = exchangeLine.parse(JSON.parse(line));
      if (parsed.endpoint === 'management' && parsed.at >= since) out.push(parsed);
    }
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

const signatureOf = (e: Exchange): unknown => e.request.headers['mdm-signature'];

conformance.describe('RequireMessageSigning: MDM-Signature on the next session', () => {
  let initial: CommandResult;
  let unsigned: Exchange[];
  let enable: { replace: CommandResult; get: CommandResult };
  let signed: Exchange[];
  let disable: CommandResult;
  let afterDisable: Exchange[];

  conformance.beforeAll(async ({ device, mdm }) => {
    let since = new Date().toISOString();
    [initial] = (await device.sync([device.node(SIGNING).get()])) as [CommandResult];
    unsigned = await exchangesSince(mdm, device, since);
    const [replace, get] = await device.sync([device.node(SIGNING).replace(true), device.node(SIGNING).get()]);
    enable = { replace: replace!, get: get! };
    // The next session is the first that must be signed from its first message on.
    since = new Date().toISOString();
    // A device whose signature does not verify is refused by the server, so its commands are never answered:
    // that outcome is what DMC-SIGN-003 judges from the transcript, not a fault of this hook.
    const answers = await device.sync([device.node(SIGNING).replace(false)], { timeout: 60_000 }).catch(() => undefined);
    signed = await exchangesSince(mdm, device, since);
    if (answers === undefined) {
      // Turn signing off the way the device still accepts: this hook must leave the enrollment usable.
      await device.sync([device.node(SIGNING).replace(false)]).catch(() => undefined);
    }
    disable = answers?.[0] as CommandResult;
    since = new Date().toISOString();
    await device.sync([device.node(SIGNING).get()]);
    afterDisable = await exchangesSince(mdm, device, since);
  });

  conformance.afterAll(async ({ device }) => {
    // Leave the enrollment as the other suites expect it: unsigned (the DDF and reference default).
    await device.sync([device.node(SIGNING).replace(false)]);
  });

  conformance(
    {
      id: 'DMC-SIGN-001',
      title: 'RequireMessageSigning defaults to false and the device does not sign',
      group: 'message-signing',
      nodes: [SIGNING],
      reference: 'provider-providerid-requiremessagesigning',
    },
    async () => {
      // "Default value is false, where the device management client doesn't include authentication information in
      // the management session HTTP header."
      expect(code(initial)).toBe('200');
      expect(data(initial)).toBe('false');
      expect(unsigned.length, 'management exchanges recorded for the session').toBeGreaterThan(0);
      expect(unsigned.filter((e) => signatureOf(e) !== undefined).length, 'messages carrying MDM-Signature').toBe(0);
    },
  );

  conformance(
    {
      id: 'DMC-SIGN-002',
      title: 'Replace true is accepted and reads back true',
      group: 'message-signing',
      nodes: [SIGNING],
      reference: 'provider-providerid-requiremessagesigning',
    },
    async () => {
      expect(code(enable.replace), 'Replace RequireMessageSigning true').toBe('200');
      expect(data(enable.get)).toBe('true');
    },
  );

  conformance(
    {
      id: 'DMC-SIGN-003',
      title: 'after true, every message of the next session carries an MDM-Signature the server verifies',
      group: 'message-signing',
      nodes: [SIGNING],
      reference: 'provider-providerid-requiremessagesigning',
    },
    async () => {
      expect(signed.length, 'management exchanges recorded for the session').toBeGreaterThan(0);
      for (const exchange of signed) {
        expect(typeof signatureOf(exchange), 'MDM-Signature header of a device message').toBe('string');
        // The server refuses a signature that does not verify (DMC_ERR_SERVER_SIGNATURE_INVALID).
        expect(exchange.errorCode ?? null, 'server verdict on the message').toBeNull();
        expect(exchange.response.status).toBe(200);
      }
    },
  );

  conformance(
    {
      id: 'DMC-SIGN-004',
      title: 'Replace false stops the signing from the next session on',
      group: 'message-signing',
      nodes: [SIGNING],
      reference: 'provider-providerid-requiremessagesigning',
    },
    async () => {
      expect(code(disable), 'Replace RequireMessageSigning false (in the signed session)').toBe('200');
      expect(afterDisable.length).toBeGreaterThan(0);
      expect(afterDisable.filter((e) => signatureOf(e) !== undefined).length, 'messages carrying MDM-Signature').toBe(0);
    },
  );
});

conformance.describe('EnableOmaDmKeepAliveMessage: Alert 1224 requestpending', () => {
  let initial: CommandResult;
  let enable: { replace: CommandResult; get: CommandResult };
  let alertsBeforeEnable: number;

  conformance.beforeAll(async ({ device }) => {
    [initial] = (await device.sync([device.node(KEEP_ALIVE).get()])) as [CommandResult];
    alertsBeforeEnable = requestPending(device).length;
    const [replace, get] = await device.sync([device.node(KEEP_ALIVE).replace(true), device.node(KEEP_ALIVE).get()]);
    enable = { replace: replace!, get: get! };
  });

  conformance.afterAll(async ({ device }) => {
    await device.sync([device.node(KEEP_ALIVE).replace(false)]);
  });

  conformance(
    {
      id: 'DMC-SIGN-010',
      title: 'EnableOmaDmKeepAliveMessage defaults to false and no requestpending alert is sent',
      group: 'message-signing',
      nodes: [KEEP_ALIVE],
      reference: 'provider-providerid-enableomadmkeepalivemessage',
    },
    async () => {
      // "By default, the MDM client doesn't send an alert that a DM request is pending." (DDF default false.)
      expect(code(initial)).toBe('200');
      expect(data(initial)).toBe('false');
      expect(alertsBeforeEnable, 'requestpending alerts while keep-alive was off').toBe(0);
    },
  );

  conformance(
    {
      id: 'DMC-SIGN-011',
      title: 'Replace true is accepted and reads back true',
      group: 'message-signing',
      nodes: [KEEP_ALIVE],
      reference: 'provider-providerid-enableomadmkeepalivemessage',
    },
    async () => {
      expect(code(enable.replace)).toBe('200');
      expect(data(enable.get)).toBe('true');
    },
  );

  conformance(
    {
      id: 'DMC-SIGN-012',
      title: 'with keep-alive on, a slow command gets Alert 1224 requestpending (Data 1) before its answer',
      group: 'message-signing',
      nodes: [KEEP_ALIVE, 'Provider/{ProviderID}/LinkedEnrollment/Enroll'],
      reference: 'provider-providerid-enableomadmkeepalivemessage',
    },
    async ({ device, mdm }, testInfo) => {
      // The slow command: a silent MMP-C enrollment (LinkedEnrollment/Enroll) does a whole enrollment against a
      // discovery service before it can answer. The device judges "too slow"; the harness can only measure.
      const gaps: number[] = [];
      let lastOut = 0;
      const offOut = mdm.engine.on('messageOut', (e) => {
        if (e.deviceId === device.deviceId) lastOut = Date.parse(e.at);
      });
      const offIn = mdm.engine.on('messageIn', (e) => {
        if (e.deviceId === device.deviceId && lastOut > 0) gaps.push(Date.parse(e.at) - lastOut);
      });
      const from = requestPending(device).length;
      let exec: CommandResult | undefined;
      try {
        [exec] = await device.sync([device.node('Provider/{ProviderID}/LinkedEnrollment/Enroll').exec()], { timeout: 300_000 });
      } finally {
        offOut();
        offIn();
      }
      const alerts = requestPending(device).slice(from);
      const slowest = Math.max(0, ...gaps);
      if (alerts.length === 0 && slowest < SLOW_MS) {
        skipNotApplicable(testInfo, `the device answered every message within ${slowest} ms (Exec answered ${code(exec)}), so no keep-alive was due`);
      }
      expect(alerts.length, `requestpending alerts while the device took up to ${slowest} ms to answer`).toBeGreaterThan(0);
      for (const alert of alerts) {
        expect(alert.types).toEqual([REQUEST_PENDING_TYPE]);
        expect(alert.data).toEqual(['1']);
      }
    },
  );
});

/** A device reply later than this counts as slow: the HTTP timeout of common proxies and load balancers. */
const SLOW_MS = 30_000;

function requestPending(device: ConformanceDevice): ReturnType<ConformanceDevice['mdm']['alerts']> {
  return device.mdm.alerts().filter((a) => a.code === '1224' && a.types.includes(REQUEST_PENDING_TYPE));
}

