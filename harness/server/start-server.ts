/**
 * The MDM server of a run: fastify over HTTPS with the harness CA's server certificate, asking for (but not
 * requiring) a TLS client certificate so the application decides who a device is; the three MS-MDE2 enrollment
 * endpoints; the OMA-DM management endpoint backed by the session engine; transcripts of every exchange. All
 * state (CA, issued certificates, enrollments, queues, nonces, transcripts) lives under `dataDir`, so a restart
 * with the same folder carries on.
 */
import { isIP } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  DISCOVERY_PATH, DEFAULT_POLL, EnrollmentStore, MANAGEMENT_PATH, discoveryPlugin, issuerFromAuthority, policyPlugin,
  wstepPlugin, type ExchangeRecord, type InitialSetting, type PollSchedule,
} from '../enrollment/index.js';
import { loadOrCreateAuthority, type Authority } from '../pki/index.js';
import { DeviceAuthenticator } from './device-auth.js';
import { errors } from './errors.js';
import { managementPlugin } from './management-plugin.js';
import { MIN_MAX_MSG_SIZE } from './message-size.js';
import { SessionEngine, type DeviceHandle } from './session/index.js';
import { redactText } from './redact.js';
import { TranscriptWriter } from './transcript.js';

export interface MdmServerOptions {
  /** Address to listen on, e.g. 127.0.0.1 or 0.0.0.0. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  /** OnPremise enrollment credentials (WS-Security UsernameToken). */
  user: string;
  password: string;
  /** DMClient ProviderID and w7 PROVIDER-ID; default DMCHarness. */
  providerId?: string;
  poll?: PollSchedule;
  /** Extra DMClient/Provider/<ProviderID> settings sent at enrollment. */
  initialSettings?: InitialSetting[];
  /** Host name devices reach the server by (in service URLs and the server certificate); default: the request's Host. */
  publicHost?: string;
  /** Port devices reach the server by when it differs from the listening one (NAT, port forwarding). */
  publicPort?: number;
  /** true: every device must send MDM-Signature; a list: those device IDs must. */
  requireSigning?: boolean | string[];
  enrollmentBodyLimit?: number;
  managementBodyLimit?: number;
  /**
   * The largest SyncML message sent to a device, in bytes; a device's own smaller MaxMsgSize still wins. Unlimited
   * when omitted, as OMA DM allows toward a device that announces none (Windows announces none: capture 05).
   */
  maxMsgSize?: number;
  /** How long a slow or silent connection may hold the server (defaults: DEFAULT_SERVER_TIMEOUTS). */
  timeouts?: Partial<ServerTimeouts>;
  /** Where refusals are logged (JSON lines, warn level: code and message, never a secret); no log when omitted. */
  log?: NodeJS.WritableStream;
}

/**
 * A device on a bad network, or a peer that opens connections and says nothing, must not hold the server forever
 * (fastify's own defaults leave requestTimeout and the socket idle timeout off). All in milliseconds.
 */
export interface ServerTimeouts {
  /** Until the request headers are complete (node's headersTimeout). */
  headersMs: number;
  /** Until the whole request, body included, has arrived (node's requestTimeout). */
  requestMs: number;
  /** A socket with no traffic at all is closed (fastify connectionTimeout), TLS handshake included. */
  idleMs: number;
  /** An idle keep-alive connection between two requests. */
  keepAliveMs: number;
}

/** A 1 MiB SyncML message takes far less than 30 s even on a slow link; a stalled one is cut there. */
export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = { headersMs: 20_000, requestMs: 30_000, idleMs: 60_000, keepAliveMs: 30_000 };

export interface MdmServer {
  discoveryUrl: string;
  managementUrl: string;
  caCertPath: string;
  port: number;
  engine: SessionEngine;
  enrollments: EnrollmentStore;
  authority: Authority;
  transcripts: TranscriptWriter;
  app: FastifyInstance;
  device(deviceId: string): DeviceHandle;
  stop(): Promise<void>;
}

const optionsSchema = z.object({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  dataDir: z.string().min(1),
  user: z.string().min(1),
  password: z.string().min(1),
  providerId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  publicHost: z.string().min(1).optional(),
  publicPort: z.number().int().min(1).max(65535).optional(),
  maxMsgSize: z.number().int().min(MIN_MAX_MSG_SIZE).optional(),
  timeouts: z
    .object({
      headersMs: z.number().int().min(1),
      requestMs: z.number().int().min(1),
      idleMs: z.number().int().min(1),
      keepAliveMs: z.number().int().min(1),
    })
    .partial()
    .optional(),
});

/**
 * The log stream with known secrets redacted: a refusal's message may quote the request (an XML parser error
 * quotes the text around the fault), and in a broken request the password may be anywhere. pino writes one JSON
 * line per call, so the secret is also looked for as JSON escapes it.
 */
function redactingStream(out: NodeJS.WritableStream, secrets: string[]): { write(line: string): void } {
  const forms = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))];
  return { write: (line: string) => void out.write(redactText(line, forms)) };
}

function urlHost(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}

/**
 * The https://host:port root devices reach the server by: publicHost when given, else the listening host (localhost
 * for a wildcard address), IPv6 literals in brackets. `dmc doctor` uses the same rule for a server it did not start.
 */
export function serverRootUrl(host: string, publicHost: string | undefined, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::';
  return `https://${urlHost(publicHost ?? (wildcard ? 'localhost' : host))}:${port}`;
}

function checkOptions(options: MdmServerOptions): void {
  const result = optionsSchema.safeParse(options);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const option = issue.path.join('.');
  const received = option === 'password' ? '(hidden)' : (options as unknown as Record<string, unknown>)[option];
  throw errors.DMC_ERR_SERVER_INVALID_OPTION.create({ option, received, expected: issue.message });
}

export async function startMdmServer(options: MdmServerOptions): Promise<MdmServer> {
  checkOptions(options);
  const wildcard = options.host === '0.0.0.0' || options.host === '::';
  const hosts = [...new Set([options.publicHost, wildcard ? undefined : options.host, 'localhost', '127.0.0.1'])].filter(
    (h): h is string => h !== undefined,
  );
  const authority = await loadOrCreateAuthority({ dataDir: options.dataDir, hosts });
  const enrollments = await EnrollmentStore.open(options.dataDir);
  const engine = await SessionEngine.open({ dataDir: options.dataDir, ...(options.maxMsgSize === undefined ? {} : { maxMsgSize: options.maxMsgSize }) });
  // The configured password is redacted wherever it appears, also inside requests too broken to recognise it in.
  const transcripts = new TranscriptWriter(options.dataDir, { secrets: [options.password] });
  const onExchange = (record: ExchangeRecord) => transcripts.record(record);
  const signing = options.requireSigning ?? false;
  const authenticator = new DeviceAuthenticator({
    store: enrollments,
    authority,
    requireSigning: (deviceId) => (Array.isArray(signing) ? signing.includes(deviceId) : signing),
  });
  const unsubscribe = engine.on('unenrollment', (alert) => {
    void enrollments.update(alert.deviceId, (r) => ({ ...r, unenrolledAt: alert.at })).catch(() => undefined);
  });

  const timeouts = { ...DEFAULT_SERVER_TIMEOUTS, ...options.timeouts };
  const app = Fastify({
    https: {
      ...authority.httpsOptions(),
      handshakeTimeout: Math.min(timeouts.idleMs, 120_000),
      // node looks for expired headers/requests on this period (default 30 s): a short timeout needs a short period.
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(Math.min(timeouts.headersMs, timeouts.requestMs) / 4))),
    },
    logger: options.log === undefined ? false : { level: 'warn', stream: redactingStream(options.log, [options.password]) },
    keepAliveTimeout: timeouts.keepAliveMs,
    requestTimeout: timeouts.requestMs,
    connectionTimeout: timeouts.idleMs,
  });
  // node checks headersTimeout only when it is below requestTimeout; fastify has no option for it.
  app.server.headersTimeout = Math.min(timeouts.headersMs, timeouts.requestMs);
  let publicBaseUrl: string | undefined;
  if (options.publicHost !== undefined) publicBaseUrl = `https://${urlHost(options.publicHost)}:${options.publicPort ?? options.port}`;
  const credentials = { user: options.user, password: options.password };
  const enrollLimit = options.enrollmentBodyLimit === undefined ? {} : { bodyLimit: options.enrollmentBodyLimit };
  const base = publicBaseUrl === undefined ? {} : { publicBaseUrl };
  await app.register(discoveryPlugin, { onExchange, ...base, ...enrollLimit });
  await app.register(policyPlugin, { credentials, onExchange, ...enrollLimit });
  await app.register(wstepPlugin, {
    credentials,
    issuer: issuerFromAuthority(authority),
    store: enrollments,
    providerId: options.providerId ?? 'DMCHarness',
    poll: options.poll ?? DEFAULT_POLL,
    ...(options.initialSettings === undefined ? {} : { initialSettings: options.initialSettings }),
    onExchange,
    ...base,
    ...enrollLimit,
  });
  await app.register(managementPlugin, {
    engine,
    authenticator,
    onExchange,
    ...(options.managementBodyLimit === undefined ? {} : { bodyLimit: options.managementBodyLimit }),
  });

  let port: number;
  try {
    await app.listen({ host: options.host, port: options.port });
    const address = app.server.address();
    port = typeof address === 'object' && address !== null ? address.port : options.port;
  } catch (err) {
    unsubscribe();
    await engine.close();
    throw errors.DMC_ERR_SERVER_LISTEN_FAILED.create({ host: options.host, port: options.port, reason: (err as Error).message }, { cause: err });
  }

  const root = publicBaseUrl ?? serverRootUrl(options.host, options.publicHost, options.publicPort ?? port);
  let stopped: Promise<void> | undefined;
  return {
    discoveryUrl: `${root}${DISCOVERY_PATH}`,
    managementUrl: `${root}${MANAGEMENT_PATH}`,
    caCertPath: authority.caCertPath,
    port,
    engine,
    enrollments,
    authority,
    transcripts,
    app,
    device: (deviceId) => engine.device(deviceId),
    stop() {
      stopped ??= (async () => {
        unsubscribe();
        await app.close();
        await engine.close();
        await transcripts.flush();
        transcripts.close();
        await enrollments.flush();
      })();
      return stopped;
    },
  };
}
