/** The MDM server shell: HTTPS, enrollment endpoints, the management endpoint, device identity, transcripts. */
export { DEFAULT_SERVER_TIMEOUTS, serverRootUrl, startMdmServer, type MdmServer, type MdmServerOptions, type ServerTimeouts } from './start-server.js';
export { managementPlugin, signatureHeader, SYNCML_CONTENT_TYPE, type ManagementPluginOptions } from './management-plugin.js';
export { DeviceAuthenticator, type AuthDecision, type DeviceAuthContext } from './device-auth.js';
export { computeMd5Digest, md5Challenge, AUTH_MD5 } from './digest.js';
export { lostTranscriptLines, transcriptFileLines, transcriptRecords, TranscriptWriter, UNIDENTIFIED, type TranscriptLine } from './transcript.js';
export { redactText, redactHeaders, REDACTED } from './redact.js';
export { errors } from './errors.js';
