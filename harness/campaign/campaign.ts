/**
 * The reliability and security campaign of issue 14 (items 1-3): a harness server in its own process, devices
 * enrolled over HTTPS, then seeded fuzzing of SyncML and SOAP, the authentication cases and the slow and broken
 * connection cases, counted into one table (tally.ts). `npm run fuzz` runs it in full (run-fuzz.ts); the bounded
 * form runs in `npm test` (campaign.test.ts). Nothing here asserts a time: "hang" is an answer that never came
 * within the hang limit (5 s in `npm run fuzz`, as issue 14 defines a hang).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualDevice } from '../../fixtures/virtual-device/index.js';
import { parseHttpCapture } from '../enrollment/http-capture.js';
import type { ServerTimeouts } from '../server/index.js';
import { enrollDevice } from '../server/test-device.js';
import type { CommandDraft } from '../syncml/index.js';
import { AUTH_REFUSAL_CODES, AUTH_ROWS, runAuthCases } from './auth-cases.js';
import { CampaignServer } from './campaign-server.js';
import { CONNECTION_ROWS, runConnectionCases } from './connection-cases.js';
import { CAPTURE_DEVICE_ID, captureSeeds, mergeCorpora, transcriptSeeds, type Corpus } from './corpus.js';
import { ServerCrashed, fuzzSoap, fuzzSyncML } from './fuzz-runs.js';
import { secretsInFile, secretsInText, type NamedSecret } from './secret-scan.js';
import { HANG_MS, keepAliveAgent, setHangLimitMs } from './http-probe.js';
import { Tally } from './tally.js';

export interface CampaignOptions {
  seed: number;
  syncmlInputs: number;
  /** Per SOAP endpoint (Discovery, XCEP, WSTEP). */
  soapInputsPerEndpoint: number;
  /** How many times each authentication and connection case is sent. */
  repeat: number;
  idleConnections: number;
  bigBodyBytes: number;
  concurrency: number;
  /** Short server timeouts, so the slow-connection cases take seconds. */
  timeouts: ServerTimeouts;
  /** No answer within this is a hang; default HANG_MS (5 s). */
  hangMs?: number;
  progress?: (line: string) => void;
}

export const FULL_CAMPAIGN: Omit<CampaignOptions, 'seed'> = {
  syncmlInputs: 10_000,
  soapInputsPerEndpoint: 700,
  repeat: 5,
  idleConnections: 300,
  bigBodyBytes: 50 * 2 ** 20,
  concurrency: 6,
  timeouts: { headersMs: 2_000, requestMs: 3_000, idleMs: 4_000, keepAliveMs: 4_000 },
};

export interface CampaignResult {
  tally: Tally;
  corpusSizes: { syncml: number; discovery: number; policy: number; enrollment: number };
  /** Secrets found in the server's log or transcripts (goal: none), named, never shown. */
  leakedSecrets: string[];
  /** Refusal codes the authentication cases should have logged but the log lacks (goal: none). */
  unloggedRefusals: string[];
}

/** The device ID mutated enrollment requests carry: none of the devices the other rows speak for. */
const ENROLL_FUZZ_DEVICE_ID = 'E0220000000000000000000000000002';

/** Commands the virtual device answers in its sessions, so its own Status and Results messages join the corpus. */
const DEVICE_COMMANDS: CommandDraft[] = [
  { kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] },
  { kind: 'Get', Item: [{ Target: { LocURI: './DevInfo/DevId' } }] },
  { kind: 'Get', Item: [{ Target: { LocURI: './Vendor/MSFT/NoSuchCSP/Node' } }] },
  { kind: 'Replace', Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCHarness/EntDeviceName' }, Meta: { Format: 'chr' }, Data: 'Campaign PC' }] },
  { kind: 'Get', Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCHarness/Poll' } }] },
];

async function virtualDeviceSeeds(server: CampaignServer, dir: string, profile: string, input: { user: string; password: string; asDeviceId: string; enrollAsDeviceId: string; dataDir: string }): Promise<Corpus> {
  const device = await VirtualDevice.open({ stateDir: join(dir, `vdev-${profile}`), profile, trustedCaPems: [server.ready.caPem] });
  try {
    await device.enroll({ discoveryUrl: server.ready.discoveryUrl, user: input.user, password: input.password });
    await device.syncNow();
    await server.queue(device.state.deviceId, DEVICE_COMMANDS);
    await device.syncNow();
  } finally {
    await device.stop();
  }
  await server.flush();
  return transcriptSeeds({ dataDir: input.dataDir, deviceId: device.state.deviceId, asDeviceId: input.asDeviceId, enrollAsDeviceId: input.enrollAsDeviceId, password: input.password, origin: `virtual device ${profile}` });
}

/** Every file under `dir`, for the secrets search. */
async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const progress = options.progress ?? (() => undefined);
  setHangLimitMs(options.hangMs ?? HANG_MS);
  const dir = await mkdtemp(join(tmpdir(), 'dmc-campaign-'));
  const dataDir = join(dir, 'server');
  const user = 'campaign@example.test';
  // Random per run: a secret the search below can only find if the server wrote it somewhere.
  const password = `pw-${randomBytes(12).toString('base64url')}`;
  const wrongPassword = `wrong-${randomBytes(12).toString('base64url')}`;
  const tally = new Tally();
  const server = await CampaignServer.start({ dataDir, user, password, timeouts: options.timeouts });
  const agents: Array<{ destroy(): void }> = [];
  try {
    const ca = server.ready.caPem;
    const enroll = (deviceId: string) => enrollDevice({ baseUrl: server.ready.origin, ca, deviceId, user, password });
    const fuzzDevice = await enroll('F0220000000000000000000000000001');
    const a = await enroll('A0000000000000000000000000000A01');
    const b = await enroll('B0000000000000000000000000000B02');
    progress('devices enrolled; the virtual device runs its sessions for the corpus');
    const corpus = mergeCorpora(
      await captureSeeds({ deviceId: fuzzDevice.deviceId, enrollAsDeviceId: ENROLL_FUZZ_DEVICE_ID, user, password }),
      await virtualDeviceSeeds(server, dir, 'win11-23h2-enterprise', { user, password, asDeviceId: fuzzDevice.deviceId, enrollAsDeviceId: ENROLL_FUZZ_DEVICE_ID, dataDir }),
      await virtualDeviceSeeds(server, dir, 'win10-22h2-pro-notpm', { user, password, asDeviceId: fuzzDevice.deviceId, enrollAsDeviceId: ENROLL_FUZZ_DEVICE_ID, dataDir }),
    );
    const corpusSizes = { syncml: corpus.syncml.length, discovery: corpus.soap.discovery.length, policy: corpus.soap.policy.length, enrollment: corpus.soap.enrollment.length };
    progress(`corpus: ${JSON.stringify(corpusSizes)}`);

    const withCertificate = { ca, cert: fuzzDevice.certPem, key: fuzzDevice.keyPem };
    const certAgent = keepAliveAgent(withCertificate);
    const bareAgent = keepAliveAgent({ ca });
    agents.push(certAgent, bareAgent);
    const measured = async (row: string | string[], run: () => Promise<void>) => {
      const before = await server.rssBytes();
      await run();
      const after = await server.rssBytes();
      for (const name of Array.isArray(row) ? row : [row]) {
        const r = tally.row(name);
        r.rssBeforeBytes ??= before;
        r.rssAfterBytes = after;
      }
      progress(`${Array.isArray(row) ? row.join(', ') : row}: done, server RSS ${(after / 2 ** 20).toFixed(0)} MB`);
    };

    try {
      await measured('management: mutated SyncML', () =>
        fuzzSyncML({
          server, tally, corpus, count: options.syncmlInputs, seed: options.seed, concurrency: options.concurrency,
          withCertificate: { ...withCertificate, agent: certAgent },
          withoutCertificate: { ca, agent: bareAgent },
        }));
      for (const [i, endpoint] of (['discovery', 'policy', 'enrollment'] as const).entries()) {
        await measured(`${endpoint === 'discovery' ? 'discovery' : endpoint === 'policy' ? 'policy (XCEP)' : 'enrollment (WSTEP)'}: mutated SOAP`, () =>
          fuzzSoap({
            server, tally, corpus, endpoint, count: options.soapInputsPerEndpoint, seed: options.seed + i + 1,
            concurrency: options.concurrency, identity: { ca, agent: bareAgent },
          }));
      }
      await measured(Object.values(AUTH_ROWS), () => runAuthCases({ server, tally, dataDir, a, b, user, wrongPassword, repeat: options.repeat }));
      const capture05 = parseHttpCapture(await readFile(new URL('../syncml/fixtures/05-management-session1.http', import.meta.url), 'utf8')).body
        .replaceAll(CAPTURE_DEVICE_ID, fuzzDevice.deviceId);
      await measured(Object.values(CONNECTION_ROWS), () =>
        runConnectionCases({
          server, tally, timeouts: options.timeouts, device: fuzzDevice,
          opening: (sessionId) => capture05.replace(/<SessionID>[^<]*<\/SessionID>/, `<SessionID>${sessionId}</SessionID>`),
          idleConnections: options.idleConnections, bigBodyBytes: options.bigBodyBytes, repeat: options.repeat,
        }));
    } catch (err) {
      if (!(err instanceof ServerCrashed)) throw err;
      progress(err.message);
    }

    await server.flush().catch(() => undefined);
    const secrets: NamedSecret[] = [
      ['the enrollment password', password],
      ['the wrong password the auth case sent', wrongPassword],
      ...[fuzzDevice, a, b].map((d): NamedSecret => [`the digest secret of ${d.deviceId}`, d.digest.secret]),
      ...[fuzzDevice, a, b].map((d): NamedSecret => [`the private key of ${d.deviceId}`, d.keyPem.split('\n')[1]!]),
    ];
    const log = server.log();
    const leakedSecrets = [...secretsInText(log, secrets)].map(([name, where]) => `${name} (server log): ${where}`);
    for (const file of (await allFiles(join(dataDir, 'transcripts')))) {
      for (const [name, where] of await secretsInFile(file, secrets)) leakedSecrets.push(`${name} (${file.slice(dataDir.length + 1)}): ${where}`);
    }
    const unloggedRefusals = server.exit === undefined
      ? [...new Set(Object.values(AUTH_REFUSAL_CODES).map((c) => c.logged))].filter((code) => !log.includes(code))
      : [];
    return { tally, corpusSizes, leakedSecrets, unloggedRefusals };
  } finally {
    for (const agent of agents) agent.destroy();
    await server.stop().catch(() => server.kill());
    await rm(dir, { recursive: true, force: true });
  }
}
