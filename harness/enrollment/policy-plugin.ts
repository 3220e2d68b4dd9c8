/**
 * MS-MDE2 3.3 / MS-XCEP 3.1.4.1 certificate enrollment policy, /EnrollmentServer/Policy.svc: GetPolicies with an
 * OnPremise UsernameToken (capture 03) is answered with one policy: schema 3, RSA keys of at least 2048 bits,
 * SHA-256 as the hash, enroll permission.
 */
import type { FastifyPluginAsync } from 'fastify';
import { checkUsernameToken, type RunCredentials } from './credentials.js';
import { POLICY_PATH } from './discovery-plugin.js';
import type { ExchangeListener } from './exchange.js';
import { DEFAULT_SOAP_BODY_LIMIT, installSoapContext, soapRoute } from './soap-endpoint.js';
import { ACTIONS, NS, buildSoapEnvelope, type XmlTree } from './soap-xml.js';

export interface PolicyPluginOptions {
  credentials: RunCredentials;
  bodyLimit?: number;
  onExchange?: ExchangeListener;
}

/** MS-XCEP 3.1.4.1.3.16: OID groups (1 hash algorithm, 3 public key algorithm). */
export const POLICY_OIDS = [
  { value: '2.16.840.1.101.3.4.2.1', group: 1, oIDReferenceID: 0, defaultName: 'sha256' },
  { value: '1.2.840.113549.1.1.1', group: 3, oIDReferenceID: 1, defaultName: 'RSA' },
] as const;
export const MINIMAL_KEY_LENGTH = 2048;

const nil: XmlTree = { '@_xsi:nil': 'true' };

function policyResponse(): XmlTree {
  return {
    GetPoliciesResponse: {
      '@_xmlns': NS.policy,
      response: {
        policyID: '',
        policyFriendlyName: nil,
        nextUpdateHours: nil,
        policiesNotChanged: nil,
        policies: {
          policy: {
            policyOIDReference: '0',
            cAs: nil,
            attributes: {
              commonName: 'DMClientConformanceHarness',
              policySchema: '3',
              certificateValidity: { validityPeriodSeconds: '1209600', renewalPeriodSeconds: '172800' },
              permission: { enroll: 'true', autoEnroll: 'false' },
              privateKeyAttributes: {
                minimalKeyLength: String(MINIMAL_KEY_LENGTH),
                keySpec: nil,
                keyUsageProperty: nil,
                permissions: nil,
                algorithmOIDReference: '1',
                cryptoProviders: nil,
              },
              revision: { majorRevision: '101', minorRevision: '0' },
              supersededPolicies: nil,
              privateKeyFlags: nil,
              subjectNameFlags: nil,
              enrollmentFlags: nil,
              generalFlags: nil,
              hashAlgorithmOIDReference: '0',
              rARequirements: nil,
              keyArchivalAttributes: nil,
              extensions: nil,
            },
          },
        },
      },
      cAs: nil,
      oIDs: {
        oID: POLICY_OIDS.map((oid) => ({
          value: oid.value,
          group: String(oid.group),
          oIDReferenceID: String(oid.oIDReferenceID),
          defaultName: oid.defaultName,
        })),
      },
    },
  };
}

export const policyPlugin: FastifyPluginAsync<PolicyPluginOptions> = async (app, options) => {
  const bodyLimit = options.bodyLimit ?? DEFAULT_SOAP_BODY_LIMIT;
  installSoapContext(app, { endpoint: 'policy', responseAction: ACTIONS.getPoliciesResponse, bodyLimit, onExchange: options.onExchange });
  soapRoute(app, {
    endpoint: 'policy',
    path: POLICY_PATH,
    requestAction: ACTIONS.getPolicies,
    responseAction: ACTIONS.getPoliciesResponse,
    bodyLimit,
    handle(soap) {
      checkUsernameToken(soap.usernameToken, options.credentials, 'policy');
      return buildSoapEnvelope({
        action: ACTIONS.getPoliciesResponse,
        relatesTo: soap.messageId,
        body: { '@_xmlns:xsi': NS.xsi, '@_xmlns:xsd': NS.xsd, ...policyResponse() },
      });
    },
  });
};
