/**
 * MS-MDE2 3.1 Discovery service, /EnrollmentServer/Discovery.svc:
 * 1. the client's empty GET probes the endpoint and must get 200 (capture 01);
 * 2. the Discover POST is answered with the auth policy (OnPremise: UsernameToken), the enrollment version and
 *    the Policy and Enrollment service URLs, built from the host the device reached us by (capture 02).
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ExchangeListener } from './exchange.js';
import { DEFAULT_SOAP_BODY_LIMIT, installSoapContext, sendXml, soapRoute } from './soap-endpoint.js';
import { ACTIONS, NS, buildSoapEnvelope, textOf, type SoapRequest } from './soap-xml.js';

export const DISCOVERY_PATH = '/EnrollmentServer/Discovery.svc';
export const POLICY_PATH = '/EnrollmentServer/Policy.svc';
export const ENROLLMENT_PATH = '/EnrollmentServer/Enrollment.svc';

export interface DiscoveryPluginOptions {
  /** `https://host:port` devices must use; default: the Host the request came in on. */
  publicBaseUrl?: string;
  bodyLimit?: number;
  onExchange?: ExchangeListener;
}

/** The base URL the device used, so the service URLs it gets back resolve the same way. */
export function baseUrlOf(request: FastifyRequest, publicBaseUrl: string | undefined): string {
  return publicBaseUrl ?? `https://${request.host}`;
}

/** MS-MDE2 3.1.4.1.1.2: EnrollmentVersion is what the server speaks, never above what the client asked for. */
function enrollmentVersion(soap: SoapRequest): string {
  const discover = soap.body['Discover'] as { request?: { RequestVersion?: unknown } } | undefined;
  const requested = Number.parseFloat(textOf(discover?.request?.RequestVersion) ?? '');
  return Number.isFinite(requested) && requested < 4 ? requested.toFixed(1) : '4.0';
}

export const discoveryPlugin: FastifyPluginAsync<DiscoveryPluginOptions> = async (app, options) => {
  const bodyLimit = options.bodyLimit ?? DEFAULT_SOAP_BODY_LIMIT;
  installSoapContext(app, {
    endpoint: 'discovery',
    responseAction: ACTIONS.discoverResponse,
    bodyLimit,
    onExchange: options.onExchange,
  });

  app.get(DISCOVERY_PATH, async (_request, reply) => sendXml(reply, 200, '', 'text/html; charset=utf-8'));

  soapRoute(app, {
    endpoint: 'discovery',
    path: DISCOVERY_PATH,
    requestAction: ACTIONS.discover,
    responseAction: ACTIONS.discoverResponse,
    bodyLimit,
    handle(soap, request) {
      const base = baseUrlOf(request, options.publicBaseUrl);
      return buildSoapEnvelope({
        action: ACTIONS.discoverResponse,
        relatesTo: soap.messageId,
        body: {
          '@_xmlns:xsi': NS.xsi,
          '@_xmlns:xsd': NS.xsd,
          DiscoverResponse: {
            '@_xmlns': NS.discovery,
            DiscoverResult: {
              AuthPolicy: 'OnPremise',
              EnrollmentVersion: enrollmentVersion(soap),
              EnrollmentPolicyServiceUrl: `${base}${POLICY_PATH}`,
              EnrollmentServiceUrl: `${base}${ENROLLMENT_PATH}`,
            },
          },
        },
      });
    },
  });
};
