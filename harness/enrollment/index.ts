/** MS-MDE2 enrollment: Discovery, XCEP policy and WSTEP enrollment endpoints, the provisioning document, the store. */
export { discoveryPlugin, DISCOVERY_PATH, POLICY_PATH, ENROLLMENT_PATH, type DiscoveryPluginOptions } from './discovery-plugin.js';
export { policyPlugin, type PolicyPluginOptions } from './policy-plugin.js';
export { wstepPlugin, MANAGEMENT_PATH, type WstepPluginOptions } from './wstep-plugin.js';
export { EnrollmentStore, type EnrollmentRecord } from './enrollment-store.js';
export { buildProvisioningDoc, DEFAULT_POLL, type PollSchedule, type InitialSetting } from './provisioning-doc.js';
export type { CertificateIssuer, IssuedDeviceCertificate, ParsedDeviceCsr } from './certificate-issuer.js';
export { issuerFromAuthority } from './pki-issuer.js';
export { recordExchanges } from './exchange.js';
export type { ExchangeRecord, ExchangeListener, ExchangeNotes } from './exchange.js';
export type { RunCredentials } from './credentials.js';
export { drainRefusedBody, isAbortedRequest, sendXml, SOAP_CONTENT_TYPE } from './soap-endpoint.js';
export { writeJsonAtomic, readJson } from './atomic-json.js';
export { errors } from './errors.js';
