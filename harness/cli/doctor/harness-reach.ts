/**
 * "harness URL reachable": can the device open the harness's discovery URL over HTTPS, with its own trust store,
 * through its own firewall, proxy and DNS? The enrollment client's first request is exactly this GET.
 *
 * Something must answer at the harness address for the check to mean anything. When a server already listens
 * there (`dmc server`, or a run in progress) the device asks that one; otherwise the doctor starts the harness
 * server for the few seconds of the check, with the inventory's settings and the target's harness data directory,
 * so the device meets the same certificate a run would show it.
 */
import { randomBytes } from 'node:crypto';
import type { ProbeAgent } from '../../../agents/agent.js';
import type { HttpsReach } from '../../../agents/probe-schemas.js';
import type { HarnessSettings, Target } from '../../../fixtures/targets/inventory.js';
import { DISCOVERY_PATH } from '../../enrollment/index.js';
import { errors as serverErrors, serverRootUrl, startMdmServer, type MdmServer } from '../../server/index.js';
import { CHECK_NAMES as N, fail, firstLine, pass, skip, warn, type CheckResult } from './check.js';
import { tcpProbe } from './connect-checks.js';

const LOOPBACK = /^(127\.|localhost$|::1$|\[::1\]$)/;

/** The address devices reach the harness by: the target's harnessUrl, else the server's own rule (publicHost or host). */
export function harnessBaseUrl(target: Target, harness: HarnessSettings, port = harness.port): string {
  if (target.kind === 'ssh' && target.harnessUrl !== undefined) return target.harnessUrl;
  return serverRootUrl(harness.host, harness.publicHost, port);
}

/** Problems the inventory shows without asking the device; undefined when there is none. */
export function harnessUrlProblem(target: Target, harness: HarnessSettings): CheckResult | undefined {
  const ownUrl = target.kind === 'ssh' && target.harnessUrl !== undefined;
  const url = harnessBaseUrl(target, harness);
  if (harness.host === '0.0.0.0' && harness.publicHost === undefined && !ownUrl) {
    return fail(N.harnessUrl, 'harness.host is 0.0.0.0 and no publicHost names the server for devices', 'set harness.publicHost to the name or address the device uses for this machine');
  }
  const loopbackDevice = target.kind === 'local' || (target.kind === 'ssh' && LOOPBACK.test(target.host));
  if (!loopbackDevice && LOOPBACK.test(new URL(url).hostname)) {
    return fail(
      N.harnessUrl,
      `${url}: a loopback address, which the device at ${target.kind === 'ssh' ? target.host : '?'} cannot reach`,
      'in the inventory: harness.host: 0.0.0.0 and harness.publicHost: <this machine as the device sees it>, or harnessUrl in the target',
    );
  }
  return undefined;
}

export interface HarnessEndpoint {
  /** The discovery URL as the device must reach it. */
  url: string;
  /** Which server answers: "the running server" or "a temporary harness server". */
  answeredBy: string;
  /** True when port 0 gave the server a port of its own for this check only. */
  ephemeralPort: boolean;
  close(): Promise<void>;
}

export interface EndpointOptions {
  target: Target;
  harness: HarnessSettings;
  dataDir: string;
  env: Record<string, string | undefined>;
}

/** Finds the server listening at the harness address, or starts one; a listening failure is the row's answer. */
export async function openHarnessEndpoint(options: EndpointOptions): Promise<HarnessEndpoint | CheckResult> {
  const { target, harness } = options;
  const connectHost = harness.host === '0.0.0.0' || harness.host === '::' ? '127.0.0.1' : harness.host;
  const url = (port?: number): string => new URL(DISCOVERY_PATH, harnessBaseUrl(target, harness, port)).toString();
  if (harness.port !== 0 && (await tcpProbe(connectHost, harness.port, 2_000)) === undefined) {
    return { url: url(), answeredBy: `the server already listening on ${harness.host}:${harness.port}`, ephemeralPort: false, close: async () => undefined };
  }
  let server: MdmServer;
  try {
    server = await startMdmServer({
      host: harness.host,
      port: harness.port,
      dataDir: options.dataDir,
      user: harness.user,
      // The GET needs no credentials; without the password variable, an enrollment tried in these seconds is refused.
      password: options.env[harness.passwordEnv] || randomBytes(18).toString('base64url'),
      providerId: harness.providerId,
      ...(harness.publicHost === undefined ? {} : { publicHost: harness.publicHost }),
    });
  } catch (error) {
    // startMdmServer reports a failed listen as a DmcError whose reason is the operating system's (EADDRNOTAVAIL...).
    if (!serverErrors.DMC_ERR_SERVER_LISTEN_FAILED.is(error)) throw error;
    const reason = error.fields.reason;
    return fail(N.harnessUrl, `cannot listen on ${harness.host}:${harness.port} to test it: ${reason}`, 'free the port, or give harness.host an address of this machine');
  }
  return {
    url: url(harness.port === 0 ? server.port : undefined),
    answeredBy: `a temporary harness server on ${harness.host}:${server.port}`,
    ephemeralPort: harness.port === 0,
    close: () => server.stop(),
  };
}

const FAILURE_FIX: Record<NonNullable<HttpsReach['failure']>, (host: string, port: string) => string> = {
  dns: (host) => `the device cannot resolve ${host}: use an address in harness.publicHost (or the target's harnessUrl), or add a DNS or hosts entry on the device`,
  connect: (_host, port) =>
    `allow TCP ${port} inbound on the harness machine (its firewall), listen on an address the device can route to (harness.host: 0.0.0.0), and check the device's route to it`,
  timeout: (_host, port) => `packets are dropped on the way: allow TCP ${port} inbound on the harness machine and outbound on the device (and on any firewall between)`,
  certificate: (host) =>
    `the device does not trust the harness's certificate, or it does not name ${host}: run \`dmc doctor <target> --fix\` to install the harness CA; keep harness.publicHost the name the device uses`,
  tls: () => 'the TLS handshake failed: enable TLS 1.2 for .NET on the device (SchUseStrongCrypto) and check nothing intercepts TLS on the way',
  other: () => 'run the same request on the device: Invoke-WebRequest -UseBasicParsing <the URL>',
};

/** Asks the device to GET the discovery URL, and reads the row off the answer. */
export async function harnessReachCheck(agent: ProbeAgent, endpoint: HarnessEndpoint): Promise<CheckResult> {
  let reach: HttpsReach;
  try {
    reach = await agent.httpsReach(endpoint.url);
  } catch (error) {
    return skip(N.harnessUrl, `${endpoint.url}: the https-reach probe did not run (${firstLine(error)})`, `check by hand on the device: Invoke-WebRequest -UseBasicParsing ${endpoint.url}`);
  }
  const { hostname, port } = new URL(endpoint.url);
  const via = reach.proxy === null ? '' : ` through proxy ${reach.proxy}`;
  if (reach.reached && reach.status === 200) {
    const found = `device GET ${endpoint.url}${via}: HTTP 200 in ${reach.durationMs} ms from ${endpoint.answeredBy}`;
    return endpoint.ephemeralPort
      ? warn(N.harnessUrl, `${found}; but harness.port 0 picks a new port each run, which a firewall cannot allow`, 'set a fixed harness.port (e.g. 8443) and allow it inbound on the harness machine')
      : pass(N.harnessUrl, found);
  }
  if (reach.reached) {
    return fail(
      N.harnessUrl,
      `device GET ${endpoint.url}${via}: HTTP ${reach.status ?? '?'} instead of 200: something other than the harness answers there`,
      reach.proxy === null ? `check what listens on ${hostname}:${port || 443}` : `exempt ${hostname} from the proxy on the device (netsh winhttp set proxy ... bypass-list, and the user's proxy settings)`,
    );
  }
  const failure = reach.failure ?? 'other';
  return fail(N.harnessUrl, `device GET ${endpoint.url}${via}: ${failure} failure: ${reach.error ?? 'no detail'}`, FAILURE_FIX[failure](hostname, port || '443'));
}
