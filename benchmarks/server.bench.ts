/**
 * The MDM server under many devices at once, over real HTTPS with client certificates and keep-alive: each device
 * runs OMA-DM sessions of two messages (capture-05-like opening, then Status/Results for 20 queued commands) while
 * a script waits on `device(id).sync()` for those 20 commands. Side by side, in the same run, the same clients send
 * the same two bodies to a trivial fastify HTTPS route (same TLS settings, fixed answer): the ratio shows what
 * enrollment state, identity checks, SyncML and the session engine cost over bare fastify + TLS.
 *
 * Honest by construction: the server under test (harness and trivial route alike) runs in a CHILD process, this
 * process only simulates the devices, so the load generator never competes with the server for one event loop.
 * Both children get the same protocol over IPC per session: "sync" (the harness queues 20 commands and answers
 * "queued"; the trivial child answers at once), then the device's two HTTPS messages (timed), then "settled" (the
 * harness child sends it when the script's sync() resolves). Peak RSS is sampled inside the server process over
 * the measured phase only.
 *
 * Bounded: a fixed number of sessions per scenario (100 devices x 3 sessions, 1,000 devices x 1 session). Devices
 * enroll over HTTPS (MS-MDE2 RequestSecurityToken, the real path) and share one RSA key so setup does not spend
 * minutes generating keys; each device still gets its own certificate and identity.
 *
 * Run alone: `node --import tsx benchmarks/server.bench.ts`; or with the others: `npm run bench`.
 * Profile the server: DMC_BENCH_SERVER_EXEC_ARGV="--cpu-prof --cpu-prof-dir=/tmp/prof" (flags for the child).
 * DMC_BENCH_SERVER_SCENARIO=0|1 runs one scenario; DMC_BENCH_SERVER_TINY=1 runs 3 devices x 2 sessions (smoke check).
 * "srv CPU" is the server process's user+system CPU per session over the measured phase: on a shared, busy machine
 * it moves far less than sessions/s, so compare it first.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { ServerProcess as ForkedServer } from '../harness/campaign/server-process.js';
import { loadOrCreateAuthority } from '../harness/pki/index.js';
import { startMdmServer } from '../harness/server/index.js';
import { enrollDevice, post, type EnrolledDevice } from '../harness/server/test-device.js';
import { buildSyncML, parseSyncML, type Command, type CommandDraft, type SyncML } from '../harness/syncml/index.js';

const COMMANDS_PER_SESSION = 20;
const SCENARIOS = process.env["DMC_BENCH_SERVER_TINY"] ? [{ devices: 3, sessionsPerDevice: 2 }] as const : [
  { devices: 100, sessionsPerDevice: 3 },
  { devices: 1000, sessionsPerDevice: 1 },
] as const;
const SYNCML = { 'content-type': 'application/vnd.syncml.dm+xml' };
const POLL = './Device/Vendor/MSFT/DMClient/Provider/DMCHarness/Poll';
const SERVE = '--serve-for-bench';
const USER = 'bench@example.test';
const PASSWORD = 'bench-pw';
const MANAGEMENT_PATH = '/ManagementServer/MDM.svc';

type Kind = 'harness' | 'trivial';
type ToServer = { type: 'sync'; id: number; deviceId: string } | { type: 'measure'; on: boolean } | { type: 'stop' };
type FromServer =
  | { type: 'ready'; origin: string; managementUrl: string; caPem: string }
  | { type: 'queued'; id: number }
  | { type: 'settled'; id: number; count: number; error?: string }
  | { type: 'rss'; peakMb: number; cpuMs: number }
  | { type: 'stopped' };

function drafts(): CommandDraft[] {
  const out: CommandDraft[] = [];
  for (let i = 0; i < COMMANDS_PER_SESSION / 2; i += 1) {
    out.push({ kind: 'Replace', Item: [{ Target: { LocURI: `${POLL}/IntervalForFirstSetOfRetries` }, Meta: { Format: 'int' }, Data: String(i + 1) }] });
    out.push({ kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] });
  }
  return out;
}

// ---- the server side (child process) -------------------------------------------------------------------------

async function serve(kind: Kind, dataDir: string): Promise<void> {
  const send = (message: FromServer): void => void process.send?.(message);
  let peak = 0;
  let cpuAtStart = process.cpuUsage();
  let sampler: NodeJS.Timeout | undefined;
  let stop: () => Promise<void>;
  let onSync: (id: number, deviceId: string) => void;
  if (kind === 'harness') {
    const server = await startMdmServer({ host: '127.0.0.1', port: 0, dataDir, user: USER, password: PASSWORD });
    stop = () => server.stop();
    onSync = (id, deviceId) => {
      const results = server.device(deviceId).sync(drafts(), { timeout: 300_000 });
      send({ type: 'queued', id });
      results.then(
        (settled) => send({ type: 'settled', id, count: settled.length }),
        (err: Error) => send({ type: 'settled', id, count: 0, error: err.message }),
      );
    };
    send({ type: 'ready', origin: new URL(server.discoveryUrl).origin, managementUrl: server.managementUrl, caPem: server.authority.caCertPem });
  } else {
    const authority = await loadOrCreateAuthority({ dataDir, hosts: [] });
    const app = Fastify({ https: authority.httpsOptions(), logger: false, keepAliveTimeout: 30_000 });
    app.addContentTypeParser(SYNCML['content-type'], { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
    app.post(MANAGEMENT_PATH, async (_req, reply) => reply.header('content-type', SYNCML['content-type']).send('<SyncML/>'));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const origin = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    stop = () => app.close();
    onSync = (id) => {
      send({ type: 'queued', id });
      send({ type: 'settled', id, count: COMMANDS_PER_SESSION });
    };
    send({ type: 'ready', origin, managementUrl: `${origin}${MANAGEMENT_PATH}`, caPem: authority.caCertPem });
  }
  // Bounded: a server whose driver went away (killed, crashed) stops too instead of listening on.
  process.once('disconnect', () => void stop().finally(() => process.exit(0)));
  process.on('message', (message: ToServer) => {
    if (message.type === 'sync') onSync(message.id, message.deviceId);
    else if (message.type === 'measure' && message.on) {
      peak = process.memoryUsage().rss;
      cpuAtStart = process.cpuUsage();
      sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    } else if (message.type === 'measure') {
      clearInterval(sampler);
      const cpu = process.cpuUsage(cpuAtStart);
      send({ type: 'rss', peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20, cpuMs: (cpu.user + cpu.system) / 1000 });
    } else if (message.type === 'stop') {
      void stop().then(() => {
        send({ type: 'stopped' });
        process.disconnect();
      });
    }
  });
}

// ---- the device side (this process) --------------------------------------------------------------------------

/** One server under test in a child process, driven over IPC (harness/campaign/server-process.ts). */
class ServerProcess {
  readonly #process: ForkedServer<ToServer, FromServer>;
  #nextId = 0;

  private constructor(process: ForkedServer<ToServer, FromServer>) {
    this.#process = process;
  }

  static async start(kind: Kind, dataDir: string): Promise<{ server: ServerProcess; ready: Extract<FromServer, { type: 'ready' }> }> {
    const execArgv = (process.env['DMC_BENCH_SERVER_EXEC_ARGV'] ?? '').split(' ').filter(Boolean);
    const { server, ready } = await ForkedServer.start<ToServer, FromServer>(fileURLToPath(import.meta.url), [SERVE, kind, dataDir], { execArgv, name: `${kind} server` });
    return { server: new ServerProcess(server), ready: ready as Extract<FromServer, { type: 'ready' }> };
  }

  /** Asks the server to queue one session's commands; resolves when they are queued, with a promise of their settling. */
  async sync(deviceId: string): Promise<{ settled: Promise<Extract<FromServer, { type: 'settled' }>> }> {
    const id = ++this.#nextId;
    const queued = this.#process.expect(`queued:${id}`);
    const settled = this.#process.expect(`settled:${id}`) as Promise<Extract<FromServer, { type: 'settled' }>>;
    this.#process.send({ type: 'sync', id, deviceId });
    await queued;
    // Wrapped: an async function returning a promise would adopt it and wait for the settling.
    return { settled };
  }

  measure(on: true): void;
  measure(on: false): Promise<{ peakMb: number; cpuMs: number }>;
  measure(on: boolean): void | Promise<{ peakMb: number; cpuMs: number }> {
    const rss = on ? undefined : this.#process.expect('rss');
    this.#process.send({ type: 'measure', on });
    return rss?.then((m) => m as Extract<FromServer, { type: 'rss' }>);
  }

  stop(): Promise<void> {
    return this.#process.stop({ type: 'stop' });
  }
}

function opening(deviceId: string, sessionId: string, managementUrl: string): SyncML {
  return {
    SyncHdr: { VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: sessionId, MsgID: '1', Target: { LocURI: managementUrl }, Source: { LocURI: deviceId } },
    SyncBody: {
      commands: [
        { kind: 'Alert', CmdID: '2', Data: '1201', Item: [] },
        { kind: 'Alert', CmdID: '3', Data: '1224', Item: [{ Meta: { Type: 'com.microsoft/MDM/LoginStatus' }, Data: 'user' }] },
        {
          kind: 'Replace',
          CmdID: '4',
          Item: [
            { Source: { LocURI: './DevInfo/DevId' }, Data: deviceId },
            { Source: { LocURI: './DevInfo/Man' }, Data: 'VMware, Inc.' },
            { Source: { LocURI: './DevInfo/Mod' }, Data: 'VMware7,1' },
            { Source: { LocURI: './DevInfo/DmV' }, Data: '1.3' },
            { Source: { LocURI: './DevInfo/Lang' }, Data: 'en-US' },
          ],
        },
      ],
      Final: true,
    },
  };
}

/** The device's second message: Status for the SyncHdr and every command, Results for every Get. */
function answers(reply: SyncML, deviceId: string, managementUrl: string): SyncML {
  const commands: Command[] = [
    { kind: 'Status', CmdID: '1', MsgRef: reply.SyncHdr.MsgID, CmdRef: '0', Cmd: 'SyncHdr', TargetRef: [deviceId], SourceRef: [managementUrl], Data: '200', Item: [] },
  ];
  for (const command of reply.SyncBody.commands) {
    if (command.kind !== 'Get' && command.kind !== 'Replace') continue;
    const locUri = command.Item[0]?.Target?.LocURI ?? '';
    commands.push({ kind: 'Status', CmdID: String(commands.length + 1), MsgRef: reply.SyncHdr.MsgID, CmdRef: command.CmdID, Cmd: command.kind, TargetRef: [locUri], SourceRef: [], Data: '200', Item: [] });
    if (command.kind === 'Get') {
      commands.push({ kind: 'Results', CmdID: String(commands.length + 1), MsgRef: reply.SyncHdr.MsgID, CmdRef: command.CmdID, Item: [{ Source: { LocURI: locUri }, Data: '10.0.19043.2364' }] });
    }
  }
  return {
    SyncHdr: { ...reply.SyncHdr, MsgID: '2', Target: { LocURI: managementUrl }, Source: { LocURI: deviceId } },
    SyncBody: { commands, Final: true },
  };
}

async function pool<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Figures {
  sessionsPerSecond: number;
  p50: number;
  p99: number;
  peakRssMb: number;
  /** CPU time (user + system) the server process spent per session: far steadier than wall time on a busy machine. */
  cpuMsPerSession: number;
  failures: number;
  firstFailure?: string;
}

/** Every device runs its sessions one after another, all devices at once; a session is timed from its first byte. */
async function measure(server: ServerProcess, devices: number, sessions: number, runSession: (device: number, session: number) => Promise<void>): Promise<Figures> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  server.measure(true);
  const started = performance.now();
  await Promise.all(Array.from({ length: devices }, async (_, d) => {
    for (let s = 0; s < sessions; s += 1) {
      try {
        const t0 = performance.now();
        await runSession(d, s);
        latencies.push(performance.now() - t0);
      } catch (err) {
        failures += 1;
        firstFailure ??= (err as Error).message;
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const { peakMb, cpuMs } = await server.measure(false);
  latencies.sort((a, b) => a - b);
  return {
    sessionsPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    peakRssMb: peakMb,
    cpuMsPerSession: cpuMs / Math.max(1, latencies.length),
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}

/** Runs one server kind against the enrolled devices: queue (IPC, untimed), two HTTPS messages (timed), settle. */
async function drive(kind: Kind, dataDir: string, enrolled: EnrolledDevice[], sessionsPerDevice: number, bodies?: [string, string]): Promise<Figures> {
  const { server, ready } = await ServerProcess.start(kind, dataDir);
  const agents = enrolled.map((d) => new Agent({ keepAlive: true, maxSockets: 1, ca: ready.caPem, cert: d.certPem, key: d.keyPem }));
  const url = `${ready.managementUrl}?mode=Maintenance&Platform=WoA`;
  try {
    return await measure(server, enrolled.length, sessionsPerDevice, async (d, s) => {
      const device = enrolled[d]!;
      const tls = { ca: ready.caPem, agent: agents[d]! };
      const { settled } = await server.sync(device.deviceId);
      if (bodies !== undefined) {
        await post(url, bodies[0], SYNCML, tls);
        await post(url, bodies[1], SYNCML, tls);
      } else {
        const first = await post(url, buildSyncML(opening(device.deviceId, String(s + 1), ready.managementUrl)), SYNCML, tls);
        if (first.status !== 200) throw new Error(`${device.deviceId}: HTTP ${first.status} ${first.body.slice(0, 200)}`);
        const second = await post(url, buildSyncML(answers(parseSyncML(first.body), device.deviceId, ready.managementUrl)), SYNCML, tls);
        if (second.status !== 200) throw new Error(`${device.deviceId}: HTTP ${second.status} ${second.body.slice(0, 200)}`);
      }
      const outcome = await settled;
      if (outcome.error !== undefined || outcome.count !== COMMANDS_PER_SESSION) {
        throw new Error(`${device.deviceId}: ${outcome.error ?? `${outcome.count} results`}`);
      }
    });
  } finally {
    for (const agent of agents) agent.destroy();
    await server.stop();
  }
}

async function scenario(devices: number, sessionsPerDevice: number): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dmc-bench-server-'));
  try {
    // Setup: a harness server enrolls every device over HTTPS, then stops; the measured run restarts on the same
    // data folder (so the restart path is exercised too) and the trivial server reuses its TLS certificate.
    const { server: enroller, ready } = await ServerProcess.start('harness', dataDir);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ids = Array.from({ length: devices }, (_, i) => `BE${String(i).padStart(30, '0')}`);
    const enrolled: EnrolledDevice[] = [];
    const setup = performance.now();
    try {
      await pool(ids, 16, async (deviceId) => {
        enrolled.push(await enrollDevice({ baseUrl: ready.origin, ca: ready.caPem, deviceId, user: USER, password: PASSWORD, key: privateKey }));
      });
    } finally {
      await enroller.stop();
    }
    const enrollSeconds = (performance.now() - setup) / 1000;

    const harness = await drive('harness', dataDir, enrolled, sessionsPerDevice);
    // The baseline sends the same bytes over the same kind of agents (same client certificates) to a trivial route.
    const sample = enrolled[0]!;
    const bodyOne = buildSyncML(opening(sample.deviceId, '1', ready.managementUrl));
    const baseline = await drive('trivial', dataDir, enrolled, sessionsPerDevice, [bodyOne, bodyOne.replace('<MsgID>1</MsgID>', '<MsgID>2</MsgID>')]);

    const f = (n: number) => n.toFixed(1).padStart(9);
    console.log(`${devices} devices x ${sessionsPerDevice} session(s), ${COMMANDS_PER_SESSION} commands each; server in a child process`);
    console.log(`  setup: ${devices} enrollments over HTTPS (MS-MDE2 RequestSecurityToken, 16 at a time): ${enrollSeconds.toFixed(1)} s`);
    console.log(`  ${''.padEnd(10)}${'sess/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'srv MB'.padStart(9)}${'srv CPU'.padStart(9)}`);
    for (const [name, x] of [['harness', harness], ['trivial', baseline]] as const) {
      console.log(`  ${name.padEnd(10)}${f(x.sessionsPerSecond)}${f(x.p50)}${f(x.p99)}${f(x.peakRssMb)}${f(x.cpuMsPerSession)} ms/session`);
    }
    console.log(`  throughput ratio harness/trivial: ${(harness.sessionsPerSecond / baseline.sessionsPerSecond).toFixed(2)}; server CPU per session ratio: ${(harness.cpuMsPerSession / baseline.cpuMsPerSession).toFixed(2)} (srv MB = peak RSS of the server process while measured)`);
    for (const [name, figures] of [['harness', harness], ['trivial', baseline]] as const) {
      if (figures.failures > 0) console.log(`  ${name}: ${figures.failures} session(s) failed, first: ${figures.firstFailure}`);
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  // DMC_BENCH_SERVER_SCENARIO=0 (or 1) runs one scenario only, e.g. while profiling.
  const only = process.env['DMC_BENCH_SERVER_SCENARIO'];
  for (const [index, { devices, sessionsPerDevice }] of SCENARIOS.entries()) {
    if (only === undefined || only === String(index)) await scenario(devices, sessionsPerDevice);
  }
}

if (process.argv[2] === SERVE) await serve(process.argv[3] as Kind, process.argv[4] ?? '');
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
