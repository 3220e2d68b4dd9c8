/**
 * MS-MDE2 3.4 / MS-WSTEP enrollment, /EnrollmentServer/Enrollment.svc (capture 04):
 * 1. check the OnPremise UsernameToken against the run's credentials;
 * 2. read the PKCS#10 request (BinarySecurityToken, ValueType ...#PKCS10) and the AdditionalContext items;
 * 3. sign the device certificate with the harness CA;
 * 4. record the enrollment (device ID, HWDevID, EnrollmentType, thumbprint, digest accounts, ProviderID, UPN);
 * 5. answer RequestSecurityTokenResponseCollection whose BinarySecurityToken is the base64 wap-provisioningdoc.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { CertificateIssuer } from './certificate-issuer.js';
import { checkUsernameToken, type RunCredentials } from './credentials.js';
import { ENROLLMENT_PATH, baseUrlOf } from './discovery-plugin.js';
import type { EnrollmentRecord, EnrollmentStore } from './enrollment-store.js';
import { errors } from './errors.js';
import type { ExchangeListener } from './exchange.js';
import { DEFAULT_POLL, buildProvisioningDoc, type InitialSetting, type PollSchedule } from './provisioning-doc.js';
import { DEFAULT_SOAP_BODY_LIMIT, installSoapContext, soapRoute } from './soap-endpoint.js';
import { ACTIONS, NS, buildSoapEnvelope, textOf, type SoapRequest } from './soap-xml.js';

export const MANAGEMENT_PATH = '/ManagementServer/MDM.svc';
export const DEVICE_ENROLLMENT_TOKEN = 'http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentToken';
const PROVISION_DOC_VALUE_TYPE = 'http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc';
const BASE64_ENCODING = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary';

export interface WstepPluginOptions {
  credentials: RunCredentials;
  issuer: CertificateIssuer;
  store: EnrollmentStore;
  providerId: string;
  /** APPLICATION NAME shown on the device. */
  serverName?: string;
  publicBaseUrl?: string;
  poll?: PollSchedule;
  initialSettings?: InitialSetting[];
  bodyLimit?: number;
  onExchange?: ExchangeListener;
  /** Told after an enrollment is stored, e.g. so the session engine knows the device. */
  onEnrolled?: (record: EnrollmentRecord) => void | Promise<void>;
}

/** The AdditionalContext items (MS-MDE2 3.4.4.1.1.1); a name may repeat (MAC), the first value wins here. */
export function contextItems(rst: Record<string, unknown>): Map<string, string> {
  const context = rst['AdditionalContext'] as { ContextItem?: unknown[] } | undefined;
  const items = new Map<string, string>();
  for (const item of context?.ContextItem ?? []) {
    const entry = item as { '@_Name'?: unknown; Value?: unknown };
    const name = typeof entry['@_Name'] === 'string' ? entry['@_Name'] : undefined;
    const value = textOf(entry.Value);
    if (name !== undefined && value !== undefined && !items.has(name)) items.set(name, value);
  }
  return items;
}

function requestSecurityToken(soap: SoapRequest): Record<string, unknown> {
  const rst = soap.body['RequestSecurityToken'];
  if (rst === null || typeof rst !== 'object') {
    throw errors.DMC_ERR_ENROLLMENT_MALFORMED_SOAP.create({ endpoint: 'enrollment', reason: 'Body has no RequestSecurityToken' });
  }
  return rst as Record<string, unknown>;
}

function digestAccount(name: string): { name: string; secret: string; nonce: string } {
  return { name, secret: randomBytes(24).toString('base64url'), nonce: randomBytes(16).toString('base64') };
}

export const wstepPlugin: FastifyPluginAsync<WstepPluginOptions> = async (app, options) => {
  const bodyLimit = options.bodyLimit ?? DEFAULT_SOAP_BODY_LIMIT;
  const responseAction = ACTIONS.requestSecurityTokenResponse;
  const notesOf = installSoapContext(app, { endpoint: 'enrollment', responseAction, bodyLimit, onExchange: options.onExchange });
  soapRoute(app, {
    endpoint: 'enrollment',
    path: ENROLLMENT_PATH,
    requestAction: ACTIONS.requestSecurityToken,
    responseAction,
    bodyLimit,
    async handle(soap, request) {
      const upn = checkUsernameToken(soap.usernameToken, options.credentials, 'enrollment');
      const rst = requestSecurityToken(soap);
      const tokenType = textOf(rst['TokenType']) ?? '';
      if (tokenType !== DEVICE_ENROLLMENT_TOKEN) throw errors.DMC_ERR_ENROLLMENT_UNSUPPORTED_TOKEN_TYPE.create({ tokenType });
      const csrBase64 = textOf(rst['BinarySecurityToken']);
      if (csrBase64 === undefined || csrBase64.trim() === '') {
        throw errors.DMC_ERR_ENROLLMENT_BAD_CSR.create({ reason: 'BinarySecurityToken is missing or empty' });
      }
      const context = contextItems(rst);
      const enrollmentType = context.get('EnrollmentType') ?? 'Full';
      if (enrollmentType !== 'Full' && enrollmentType !== 'Device') {
        throw errors.DMC_ERR_ENROLLMENT_UNKNOWN_ENROLLMENT_TYPE.create({ enrollmentType });
      }

      let csr;
      try {
        csr = options.issuer.parseCsr(csrBase64);
      } catch (err) {
        throw errors.DMC_ERR_ENROLLMENT_BAD_CSR.create({ reason: (err as Error).message }, { cause: err });
      }
      // The CSR extension is signed by the device key; AdditionalContext DeviceID is the fallback.
      const deviceId = csr.deviceId ?? context.get('DeviceID');
      if (deviceId === undefined || deviceId === '') {
        throw errors.DMC_ERR_ENROLLMENT_MISSING_DEVICE_ID.create({
          csrDeviceId: csr.deviceId ?? '(none)',
          contextDeviceId: context.get('DeviceID') ?? '(none)',
        });
      }
      // The transcript of this exchange goes to the device's folder.
      notesOf(request).deviceId = deviceId;

      const issued = await options.issuer.issue(csrBase64, { enrollmentType, deviceId });
      const base = baseUrlOf(request, options.publicBaseUrl);
      const clientDigest = digestAccount(deviceId);
      const serverDigest = digestAccount(options.providerId);
      const record: EnrollmentRecord = {
        deviceId,
        ...(context.has('HWDevID') ? { hwDevId: context.get('HWDevID') } : {}),
        enrollmentType,
        upn,
        providerId: options.providerId,
        ...(context.has('DeviceName') ? { deviceName: context.get('DeviceName') } : {}),
        ...(context.has('OSVersion') ? { osVersion: context.get('OSVersion') } : {}),
        certificate: {
          thumbprint: issued.thumbprint.toUpperCase(),
          serialNumber: issued.serialNumber,
          subject: issued.subject,
          pem: issued.certPem,
        },
        clientDigest,
        serverDigest,
        enrolledAt: new Date().toISOString(),
      };
      await options.store.put(record);
      await options.onEnrolled?.(record);

      const caDer = options.issuer.caCertificateDer;
      const doc = buildProvisioningDoc({
        ca: {
          thumbprint: createHash('sha1').update(caDer).digest('hex').toUpperCase(),
          derBase64: Buffer.from(caDer).toString('base64'),
        },
        device: { thumbprint: record.certificate.thumbprint, derBase64: Buffer.from(issued.certDer).toString('base64') },
        deviceSubject: issued.subject,
        enrollmentType,
        providerId: options.providerId,
        serverName: options.serverName ?? 'DMClient conformance harness',
        managementUrl: `${base}${MANAGEMENT_PATH}`,
        clientDigest,
        serverDigest,
        poll: options.poll ?? DEFAULT_POLL,
        ...(options.initialSettings === undefined ? {} : { initialSettings: options.initialSettings }),
      });

      const now = new Date();
      return buildSoapEnvelope({
        action: responseAction,
        relatesTo: soap.messageId,
        header: {
          'o:Security': {
            '@_s:mustUnderstand': '1',
            '@_xmlns:o': NS.wsse,
            'u:Timestamp': {
              '@_u:Id': '_0',
              'u:Created': now.toISOString(),
              'u:Expires': new Date(now.getTime() + 5 * 60_000).toISOString(),
            },
          },
        },
        body: {
          RequestSecurityTokenResponseCollection: {
            '@_xmlns': NS.wstrust,
            RequestSecurityTokenResponse: {
              TokenType: DEVICE_ENROLLMENT_TOKEN,
              DispositionMessage: { '@_xmlns': NS.enrollment },
              RequestedSecurityToken: {
                BinarySecurityToken: {
                  '@_ValueType': PROVISION_DOC_VALUE_TYPE,
                  '@_EncodingType': BASE64_ENCODING,
                  '@_xmlns': NS.wsse,
                  '#text': Buffer.from(doc, 'utf8').toString('base64'),
                },
              },
              RequestID: { '@_xmlns': NS.enrollment, '#text': '0' },
            },
          },
        },
      });
    },
  });
};
