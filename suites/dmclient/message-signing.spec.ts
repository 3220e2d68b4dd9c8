/**
 * RequireMessageSigning and EnableOmaDmKeepAliveMessage (dmclient-csp.md).
 *
 * Signing: "When enabled, every SyncML message from the device will carry an additional HTTP header named
 * MDM-Signature ... a Detached Signature of the complete SyncML message". [MS-MDM] 2.1 calls the same header
 * MS-Signature, so the harness takes the signature under either name (a spec conflict on the checks that look for
 * it). The harness server verifies any signature it receives against the enrollment's certificate and refuses the
 * message when it does not verify (harness/server device-auth), so a signed message the server answered with HTTP
 * 200 is a verified one. The HTTP headers are read from the server's transcript of each session.
 *
 * Keep-alive: with EnableOmaDmKeepAliveMessage true the device sends Alert 1224 with Meta.Type
 * Reversed-Domain-Name:com.microsoft.mdm.requestpending while a command takes too long; by default it does not.
 */
import { conformance, expect, skipNotApplicable, type CommandResult } from '../../fixtures/conformance.js';
import { code, data } from './support.js';
import { KEEP_ALIVE, keepAlive, REQUEST_PENDING_TYPE, requestPending, signatureOf, signing, SIGNING } from './message-signing.steps.js';

const HEADER_CONFLICT = 'the signature header: dmclient-csp.md (RequireMessageSigning) and [MS-MDE2] name it MDM-Signature, [MS-MDM] 2.1 names it MS-Signature; either is taken';

conformance.describe('RequireMessageSigning: MDM-Signature on the next session', () => {
  conformance(
    {
      id: 'DMC-SIGN-001',
      title: 'RequireMessageSigning defaults to false and the device does not sign',
      group: 'message-signing',
      nodes: [SIGNING],
      reference: 'provider-providerid-requiremessagesigning',
      specConflict: HEADER_CONFLICT,
    },
    async ({ device }) => {
      const { initial, unsigned } = await device.prepared(signing);
      // "Default value is false, where the device management client doesn't include authentication information in
      // the management session HTTP header."
      expect(code(initial)).toBe('200');
      expect(data(initial)).toBe('false');
      expect(unsigned.length, 'management exchanges recorded for the session').toBeGreaterThan(0);
      expect(unsigned.filter((e) => signatureOf(e) !== undefined).length, 'messages carrying a signature (MDM-Signature or MS-Signature)').toBe(0);
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
    async ({ device }) => {
      const { enable } = await device.prepared(signing);
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
      specConflict: HEADER_CONFLICT,
    },
    async ({ device }) => {
      const { signed } = await device.prepared(signing);
      expect(signed.length, 'management exchanges recorded for the session').toBeGreaterThan(0);
      for (const exchange of signed) {
        expect(typeof signatureOf(exchange), 'signature header (MDM-Signature or MS-Signature) of a device message').toBe('string');
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
      specConflict: HEADER_CONFLICT,
    },
    async ({ device }) => {
      const { signed, disable, afterDisable } = await device.prepared(signing);
      expect(code(disable), 'Replace RequireMessageSigning false (in the signed session)').toBe('200');
      expect(afterDisable.length).toBeGreaterThan(0);
      expect(afterDisable.filter((e) => signatureOf(e) !== undefined).length, 'messages carrying a signature (MDM-Signature or MS-Signature)').toBe(0);
    },
  );
});

conformance.describe('EnableOmaDmKeepAliveMessage: Alert 1224 requestpending', () => {
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
    async ({ device }) => {
      const { initial, alertsBeforeEnable } = await device.prepared(keepAlive);
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
    async ({ device }) => {
      const { enable } = await device.prepared(keepAlive);
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

