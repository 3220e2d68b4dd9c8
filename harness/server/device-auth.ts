/**
 * Who sent this management message (MS-MDM 2.1 and 3.1.5.1): the device named in SyncHdr/Source/LocURI must prove
 * it is that device, either by the TLS client certificate the harness CA issued it at enrollment, or, when the
 * Windows build presents none, by SyncML MD5 digest with the CLIENT credentials of its wap-provisioningdoc. An
 * MDM-Signature header, when present or required, must verify against the device's certificate.
 *
 * The answer is either an AuthOutcome the session engine acts on (accepted, or a challenge that consumes nothing
 * queued) or a refusal the server answers itself.
 */
import type { X509Certificate } from 'node:crypto';
import type { Authority, ClientCertificateCheck } from '../pki/index.js';
import { pemToDer, verifyDetached } from '../pki/index.js';
import type { EnrollmentRecord, EnrollmentStore } from '../enrollment/index.js';
import type { SyncML } from '../syncml/index.js';
import type { AuthOutcome } from './session/index.js';
import { AUTH_MD5, computeMd5Digest, digestMatches, freshNonce, md5Challenge } from './digest.js';
import { errors, type ServerError } from './errors.js';


export type AuthDecision =
  | {
      kind: 'proceed';
      deviceId: string;
      record: EnrollmentRecord;
      auth: AuthOutcome;
      via: 'certificate' | 'digest' | 'session' | 'none';
      /** Why a challenge was sent (recorded in the transcript). */
      challengeError?: ServerError;
    }
  | { kind: 'refuse'; deviceId: string | undefined; error: ServerError };

export interface DeviceAuthContext {
  store: EnrollmentStore;
  authority: Authority;
  /** True when the run demands an MDM-Signature on every message of this device. */
  requireSigning(deviceId: string): boolean;
}

/** 10 minutes: far longer than any real session, short enough that a stale SessionID does not stay trusted. */
const SESSION_TTL_MS = 10 * 60_000;

export class DeviceAuthenticator {
  readonly #context: DeviceAuthContext;
  /** `deviceId \0 SessionID` of sessions already authenticated by digest, so later messages need no Cred. */
  readonly #sessions = new Map<string, number>();
  readonly #verdicts = new WeakMap<object, { der: Uint8Array; check: ClientCertificateCheck }>();

  constructor(context: DeviceAuthContext) {
    this.#context = context;
  }

  async authenticate(input: {
    message: SyncML;
    body: Uint8Array;
    peerCertificateDer: Uint8Array | undefined;
    /** The same certificate as the TLS layer parsed it, when at hand: verified without parsing the DER again. */
    peerCertificate?: X509Certificate;
    /** The TLS connection the message came on: its certificate verdict is computed once per connection. */
    connection?: object;
    signature: string | undefined;
    now?: Date;
  }): Promise<AuthDecision> {
    const { message } = input;
    const deviceId = message.SyncHdr.Source.LocURI;
    const record = this.#context.store.get(deviceId);
    // An unenrolled device stays known: Windows finishes the session that carried its Alert 1226.
    if (record === undefined) {
      return { kind: 'refuse', deviceId: undefined, error: errors.DMC_ERR_SERVER_UNKNOWN_DEVICE.create({ deviceId }) };
    }

    const signatureError = this.#checkSignature(record, input.body, input.signature);
    if (signatureError !== undefined) return { kind: 'refuse', deviceId, error: signatureError };

    if (input.peerCertificateDer !== undefined) {
      const check = this.#verifyPeer(input.peerCertificateDer, input.connection, input.now, input.peerCertificate);
      if (!check.valid) {
        return { kind: 'refuse', deviceId, error: errors.DMC_ERR_SERVER_CLIENT_CERT_REJECTED.create({ deviceId, reason: check.reason }) };
      }
      const owner = this.#context.store.byThumbprint(check.thumbprint);
      if (owner?.deviceId !== deviceId) {
        return {
          kind: 'refuse',
          deviceId,
          error: errors.DMC_ERR_SERVER_CLIENT_CERT_MISMATCH.create({
            deviceId,
            certificateDeviceId: owner?.deviceId ?? '(no enrollment)',
            thumbprint: check.thumbprint,
          }),
        };
      }
      return { kind: 'proceed', deviceId, record, auth: { kind: 'accepted', status: '200' }, via: 'certificate' };
    }
    return this.#digest(message, record);
  }

  /** A keep-alive connection keeps its certificate: parse and verify it once, not for every message. */
  #verifyPeer(der: Uint8Array, connection: object | undefined, now: Date | undefined, parsed: X509Certificate | undefined): ClientCertificateCheck {
    const cached = connection === undefined ? undefined : this.#verdicts.get(connection);
    if (cached !== undefined && cached.der === der) return cached.check;
    const check = this.#context.authority.verifyClientCertificate(parsed ?? der, now);
    if (connection !== undefined) this.#verdicts.set(connection, { der, check });
    return check;
  }

  #checkSignature(record: EnrollmentRecord, body: Uint8Array, signature: string | undefined): ServerError | undefined {
    const deviceId = record.deviceId;
    if (signature === undefined) {
      return this.#context.requireSigning(deviceId) ? errors.DMC_ERR_SERVER_SIGNATURE_MISSING.create({ deviceId }) : undefined;
    }
    const certDer = pemToDer(record.certificate.pem, 'CERTIFICATE');
    if (certDer === undefined) {
      return errors.DMC_ERR_SERVER_SIGNATURE_INVALID.create({ deviceId, reason: 'the enrollment holds no readable certificate' });
    }
    const verdict = verifyDetached(body, signature, { expectedCertDer: certDer });
    return verdict.valid ? undefined : errors.DMC_ERR_SERVER_SIGNATURE_INVALID.create({ deviceId, reason: verdict.reason });
  }

  async #digest(message: SyncML, record: EnrollmentRecord): Promise<AuthDecision> {
    const deviceId = record.deviceId;
    const sessionKey = `${deviceId}\u0000${message.SyncHdr.SessionID}`;
    const cred = message.SyncHdr.Cred;
    if (cred === undefined) {
      const expires = this.#sessions.get(sessionKey);
      if (expires !== undefined && expires > Date.now()) {
        return { kind: 'proceed', deviceId, record, auth: { kind: 'accepted', status: '200' }, via: 'session' };
      }
      // OMA DM 1.2 Security 5.3: no credentials at all is 407 with the nonce the next Cred must use.
      return {
        kind: 'proceed',
        deviceId,
        record,
        auth: { kind: 'challenge', status: '407', chal: md5Challenge(record.clientDigest.nonce) },
        via: 'none',
        challengeError: errors.DMC_ERR_SERVER_MISSING_CREDENTIALS.create({ deviceId }),
      };
    }

    const type = cred.Meta?.Type ?? 'syncml:auth-basic';
    let reason: string | undefined;
    if (type !== AUTH_MD5) reason = `Meta/Type is ${JSON.stringify(type)}, the server accepts only ${AUTH_MD5}`;
    else if (cred.Meta?.Format !== undefined && cred.Meta.Format !== 'b64') reason = `Meta/Format is ${JSON.stringify(cred.Meta.Format)}, expected b64`;
    else {
      const { name, secret, nonce } = record.clientDigest;
      if (!digestMatches(cred.Data, computeMd5Digest(name, secret, nonce))) reason = 'the digest does not match the enrolled credentials and current nonce';
    }

    // Each nonce is good for one use, accepted or not (OMA DM 1.2 Security 5.4.1), and survives a restart.
    const next = freshNonce();
    await this.#context.store.update(deviceId, (r) => ({ ...r, clientDigest: { ...r.clientDigest, nonce: next } }));
    const current = this.#context.store.get(deviceId) ?? record;
    if (reason !== undefined) {
      return {
        kind: 'proceed',
        deviceId,
        record: current,
        auth: { kind: 'challenge', status: '401', chal: md5Challenge(next) },
        via: 'digest',
        challengeError: errors.DMC_ERR_SERVER_BAD_DIGEST.create({ deviceId, reason }),
      };
    }
    this.#remember(sessionKey);
    return { kind: 'proceed', deviceId, record: current, auth: { kind: 'accepted', status: '212', chal: md5Challenge(next) }, via: 'digest' };
  }

  #remember(key: string): void {
    const now = Date.now();
    for (const [k, expires] of this.#sessions) if (expires <= now) this.#sessions.delete(k);
    this.#sessions.set(key, now + SESSION_TTL_MS);
  }
}
