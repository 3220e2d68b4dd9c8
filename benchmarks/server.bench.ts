/**
 * The MDM server under many devices at once, over real HTTPS with client certificates and keep-alive: each device
 * runs OMA-DM sessions of two messages (capture-05-like opening, then Status/Results for 20 queued commands) while
 * a script waits on `device(id).sync()` for those 20 commands. Side by side, in the same run, the same clients send
 * the same two bodies to a trivial fastify HTTPS route (same TLS settings, fixed answer): the ratio shows what
 * enrollment state, identity checks, SyncML and the session engine cost over bare fastify + TLS. That route answers
 * `<SyncML/>` and gets the opening twice, so it moves far fewer bytes than a real session; the "same bytes" column
 * runs it with the harness's real replies (taken from one real session before the rounds) and the device's real
 * second message, so its ratio leaves out what TLS and HTTP cost for the bytes themselves.
 *
 * Honest by construction: the server under test (harness and trivial route alike) runs in a CHILD process, this
 * process only simulates the devices, so the load generator never competes with the server for one event loop.
 * Both children get the same protocol over IPC per session: "sync" (the harness queues 20 commands and answers
 * "queued"; the trivial child answers at once), then the device's two HTTPS messages (timed), then "settled" (the
 * harness child sends it when the script's sync() resolves). Peak RSS is sampled inside the server process over
 * the measured phase only.
 *
 * Bounded: a fixed number of sessions per scenario (100 devices x 3 sessions, 1,000 devices x 1 session, 100 x 3
 * again with a new TLS connection per session, see `Connection`, and 100 x 20 for the steady state). Devices
 * enroll over HTTPS (MS-MDE2 RequestSecurityToken, the real path) and share one RSA key so setup does not spend
 * minutes generating keys; each device still gets its own certificate and identity.
 *
 * The floor column (floorRoute): the steps no server that keeps this product's promises can skip (parse each
 * message, build its reply, append its state and its transcript line to a file per device), done the cheapest way
 * and nothing else. Against it, the trivial route's ratio says how much of a target set on that route these steps
 * take alone, and the harness's ratio what its own logic (authentication, session engine, queue, redaction) adds.
 *
 * Before and after in one run (issue #13): each scenario runs the same load against five servers, one after
 * another, each in its own process on its own copy of the same enrolled data folder: the trivial route, the same
 * route with the same bytes, the floor, the harness server of the BASELINE commit (its code taken with `git archive` into a temporary folder, node_modules linked,
 * started by this same file exactly as the current one is), and the current harness server. Without git or without
 * that commit (a shallow clone) the baseline column says why it is missing and the rest still runs.
 *
 * The load generator (this process) is measured too: its own CPU per session and share of one core, and its event
 * loop delay (p99), which is how late it can notice a finished response, so how much of a p99 it may add itself.
 *
 * Run alone: `node --import tsx benchmarks/server.bench.ts`; or with the others: `npm run bench`.
 * DMC_BENCH_BASELINE_REF=<commit> compares with another commit (e.g. HEAD~1 for one change); `none` skips it.
 * Profile the server: DMC_BENCH_SERVER_PROFILE=/tmp/prof writes a CPU profile of each server child's measured phase
 * only (DMC_BENCH_SERVER_PROFILE_KIND=heap: a sampling heap profile, garbage included; heap-survivors: only what
 * outlived a scavenge, the objects the GC copies and promotes);
 * DMC_BENCH_SERVER_EXEC_ARGV="--cpu-prof --cpu-prof-dir=/tmp/prof" (flags for the child) profiles all of it.
 * DMC_BENCH_SERVER_SCENARIO=0|1|2|3 runs one scenario (2: 100 devices with a new connection per session; 3: 100 devices
 * x 20 sessions, the steady state); DMC_BENCH_SERVER_TINY=1 runs 3 devices x 2 sessions (smoke check).
 * DMC_BENCH_SERVER_ROUNDS=<n> (default 3): each scenario runs every server n times, the order rotated each round,
 * and the table gives medians. DMC_BENCH_SERVER_SESSIONS=<n> (default 3): sessions per device in the first and third
 * scenarios; with more, the CPU per session falls as V8 has compiled the hot code, as the fourth scenario shows.
 * The data folders live under the system's temporary folder: TMPDIR=/dev/shm puts them on tmpfs, which shows the
 * figures without the file system's cost (creating a file costs 13 to 680 us of CPU on these VMs' ext4, about 15
 * on tmpfs; the probe line prints it for each scenario).
 * "srv CPU" is the server process's user+system CPU per session over the measured phase: on a shared, busy machine
 * it moves far less than sessions/s, so compare it first. Its "on helper threads" row is the part spent off the main
 * thread (thread-cpu.ts), which a CPU profile never shows. For the harness that is mostly TurboFan compiling its hot
 * code during the measured phase: DMC_BENCH_SERVER_EXEC_ARGV=--no-concurrent-recompilation moves the compiling onto
 * the main thread, and what stays on helper threads is the GC's share.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { Agent } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { ServerProcess as ForkedServer } from '../harness/campaign/server-process.js';
import { loadOrCreateAuthority } from '../harness/pki/index.js';
import type { startMdmServer as StartMdmServer } from '../harness/server/index.js';
import { enrollDevice, post, type EnrolledDevice } from '../harness/server/test-device.js';
import { buildSyncML, parseSyncML, type Command, type CommandDraft, type SyncML } from '../harness/syncml/index.js';
import { helperCpuMsSince, threadCpuNow } from './thread-cpu.js';

/**
 * The commit issue #13's server-cost work started from ("dmc doctor: one firstLine helper ..."): the "baseline"
 * column runs the harness server code of this commit. Keep it fixed so the before/after figures stay comparable.
 */
const BASELINE_REF = '1987d1d2f80b566aa3ef33e310e30cfcce0dc13f';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const COMMANDS_PER_SESSION = 20;
/** Sessions per device in the first and third scenarios (100 devices); the fourth runs STEADY_SESSIONS_PER_DEVICE. */
const SESSIONS_PER_DEVICE = wholeNumberFrom('DMC_BENCH_SERVER_SESSIONS', 3);
/** Sessions per device in the steady-state scenario: 2,000 sessions, long enough for the JIT to settle mostly. */
const STEADY_SESSIONS_PER_DEVICE = 20;
/**
 * How a device's sessions reach the server: `kept`, one keep-alive connection serving all of a device's sessions
 * (the load issue #13's targets were set on); `per-session`, a new TLS connection for every session, closed at its
 * end, its TLS session resumed from the one before (the agent's session cache). The second is what a Windows device
 * meets: its sessions come minutes to hours apart (the DMClient poll schedule), far longer than the harness server
 * keeps an idle connection (30 s, DEFAULT_SERVER_TIMEOUTS.keepAliveMs), so every session pays a handshake. Whether
 * Windows resumes the TLS session is not documented; a resumed handshake is the cheaper one, so it makes the trivial
 * route cheaper and the ratio harder. The targets stay on the first.
 */
type Connection = 'kept' | 'per-session';
/** What the devices of a scenario do: how many sessions each runs, and over which connections. */
interface Load {
  sessionsPerDevice: number;
  connection: Connection;
}
const SCENARIOS: ReadonlyArray<Load & { devices: number }> = process.env['DMC_BENCH_SERVER_TINY']
  ? [{ devices: 3, sessionsPerDevice: 2, connection: 'kept' }]
  : [
      { devices: 100, sessionsPerDevice: SESSIONS_PER_DEVICE, connection: 'kept' },
      { devices: 1000, sessionsPerDevice: 1, connection: 'kept' },
      { devices: 100, sessionsPerDevice: SESSIONS_PER_DEVICE, connection: 'per-session' },
      // The steady state of a server that has run a while: V8 has compiled the hot code (the helper-thread row falls),
      // so the ratios show the per-session work alone. Issue #13's targets stay on the first scenario.
      { devices: 100, sessionsPerDevice: STEADY_SESSIONS_PER_DEVICE, connection: 'kept' },
    ];
/** Rounds per scenario, each running every server once in a rotated order; the table shows medians. */
const ROUNDS = wholeNumberFrom('DMC_BENCH_SERVER_ROUNDS', process.env['DMC_BENCH_SERVER_TINY'] ? 1 : 3);

function wholeNumberFrom(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^[1-9]\d{0,2}$/.test(value)) {
    console.error(`${name} must be a whole number from 1 to 999, got "${value}"`);
    process.exit(2);
  }
  return Number(value);
}
const SYNCML = { 'content-type': 'application/vnd.syncml.dm+xml' };
const POLL = './Device/Vendor/MSFT/DMClient/Provider/DMCHarness/Poll';
const SERVE = '--serve-for-bench';
const USER = 'bench@example.test';
const PASSWORD = 'bench-pw';
const MANAGEMENT_PATH = '/ManagementServer/MDM.svc';
const FIRST_MSG_ID = '<MsgID>1</MsgID>';
const TRIVIAL_REPLY = '<SyncML/>';

/**
 * 'trivial' answers `<SyncML/>` to anything (the route issue #13 measures against); 'same-bytes' is that route
 * answering with the harness's real replies and receiving the device's real second message, so TLS and HTTP carry
 * the same bytes as with the harness: its ratio is what the harness costs beyond moving those bytes.
 */
type Kind = 'harness' | 'trivial' | 'same-bytes' | 'floor';
type ToServer = { type: 'sync'; id: number; deviceId: string } | { type: 'measure'; on: boolean } | { type: 'stop' };
type FromServer =
  | { type: 'ready'; origin: string; managementUrl: string; caPem: string }
  | { type: 'queued'; id: number }
  | { type: 'settled'; id: number; count: number; error?: string }
  | { type: 'rss'; peakMb: number; cpuMs: number; helperCpuMs: number | undefined }
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

/** `codeRoot`: the checkout whose harness/server the harness child runs (this one, or the baseline's copy). */
async function serve(kind: Kind, dataDir: string, codeRoot: string, repliesFile: string): Promise<void> {
  const send = (message: FromServer): void => void process.send?.(message);
  let peak = 0;
  let cpuAtStart = process.cpuUsage();
  let threadsAtStart: Map<number, number> | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let stop: () => Promise<void>;
  let onSync: (id: number, deviceId: string) => void;
  const profileDir = process.env['DMC_BENCH_SERVER_PROFILE'];
  const profiler = profileDir === undefined || profileDir === '' ? undefined : windowProfiler(profileDir);
  if (kind === 'harness') {
    const entry = pathToFileURL(join(codeRoot, 'harness/server/index.ts')).href;
    const { startMdmServer } = (await import(entry)) as { startMdmServer: typeof StartMdmServer };
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
    if (kind === 'floor') {
      const floor = floorRoute(dataDir, repliesFile);
      app.post(MANAGEMENT_PATH, async (req, reply) => {
        const answer = floor.answer(req.body as Buffer, req.url, req.headers);
        return reply.header('content-type', SYNCML['content-type']).header('content-length', Buffer.byteLength(answer)).send(answer);
      });
      app.addHook('onClose', async () => floor.close());
    } else if (kind === 'same-bytes') {
      const [first, second] = JSON.parse(readFileSync(repliesFile, 'utf8')) as [string, string];
      // Which message of the session this is: the only look into the body this route takes.
      app.post(MANAGEMENT_PATH, async (req, reply) =>
        reply.header('content-type', SYNCML['content-type']).send((req.body as Buffer).includes(FIRST_MSG_ID) ? first : second));
    } else {
      app.post(MANAGEMENT_PATH, async (_req, reply) => reply.header('content-type', SYNCML['content-type']).send(TRIVIAL_REPLY));
    }
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
      peak = process.memoryUsage.rss();
      cpuAtStart = process.cpuUsage();
      threadsAtStart = threadCpuNow();
      // memoryUsage.rss() only: the full memoryUsage() also gathers V8 heap statistics, which cost the server up to
      // 0.6 ms of CPU per session in the trivial run (it scales with wall time, not work) and blurred the ratios.
      sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 25);
      profiler?.start();
    } else if (message.type === 'measure') {
      clearInterval(sampler);
      profiler?.stop(kind);
      const cpu = process.cpuUsage(cpuAtStart);
      const helperCpuMs = helperCpuMsSince(threadsAtStart);
      send({ type: 'rss', peakMb: Math.max(peak, process.memoryUsage.rss()) / 2 ** 20, cpuMs: (cpu.user + cpu.system) / 1000, helperCpuMs });
    } else if (message.type === 'stop') {
      void stop().then(() => {
        send({ type: 'stopped' });
        process.disconnect();
      });
    }
  });
}

/**
 * The floor: what any server that keeps this product's promises must do for each message, done the cheapest way we
 * know and nothing more. It parses the message with the harness's parser (strict, and 5 to 7 times faster than raw
 * fast-xml-parser in the codec bench), builds its reply with the harness's builder (from the same SyncML the
 * harness answered, parsed once at start), and appends two lines to one file per device, kept open: the message as
 * JSON (the state a durable queue must write) and the exchange (a transcript line, unredacted). A device's file is
 * created at its first message, as the harness creates a device's queue file at its first write.
 * Left out, so its cost is the harness's own: authentication, the session engine (matching each Status and
 * Results to its command, settling the script's sync()), the queue's state beyond the message itself, redaction,
 * and error handling. Its ratio to the trivial route says how much of a target set against that route these
 * unavoidable steps already take.
 */
function floorRoute(dataDir: string, repliesFile: string): { answer(body: Buffer, url: string, headers: object): string; close(): void } {
  const replies = JSON.parse(readFileSync(repliesFile, 'utf8')) as [string, string];
  const [first, second] = replies.map((reply) => parseSyncML(reply)) as [SyncML, SyncML];
  // Its bytes must be the harness's, or the column would compare different work.
  if (buildSyncML(first) !== replies[0] || buildSyncML(second) !== replies[1]) throw new Error("the floor route's rebuilt replies differ from the harness's");
  const folder = join(dataDir, 'floor');
  mkdirSync(folder, { recursive: true });
  const files = new Map<string, number>();
  return {
    answer(body, url, headers) {
      const text = body.toString('utf8');
      const message = parseSyncML(text);
      const deviceId = message.SyncHdr.Source.LocURI;
      let fd = files.get(deviceId);
      if (fd === undefined) {
        fd = openSync(join(folder, `${deviceId.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`), 'a');
        files.set(deviceId, fd);
      }
      const answer = buildSyncML(message.SyncHdr.MsgID === '1' ? first : second);
      writeSync(fd, `${JSON.stringify(message)}\n`);
      writeSync(fd, `${JSON.stringify({ at: new Date().toISOString(), deviceId, url, request: { headers, body: text }, response: { status: 200, body: answer } })}\n`);
      return answer;
    },
    close() {
      for (const fd of files.values()) closeSync(fd);
      files.clear();
    },
  };
}

/**
 * CPU profile of the measured phase only (not start-up or enrollment): `DMC_BENCH_SERVER_PROFILE=<dir>`. With
 * `DMC_BENCH_SERVER_PROFILE_KIND=heap`, a sampling heap profile instead (`.heapprofile`, where the garbage comes
 * from; Chrome DevTools opens both); `heap-survivors`, the same without what a scavenge collected: the objects that
 * lived long enough to be copied and promoted, which is where the GC's time goes (its cost follows survivors, not
 * garbage).
 */
function windowProfiler(dir: string): { start(): void; stop(name: string): void } {
  const session = new Session();
  session.connect();
  const kind = process.env['DMC_BENCH_SERVER_PROFILE_KIND'];
  const save = (name: string, extension: string, profile: unknown): void => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}-${process.pid}-${Date.now()}.${extension}`), JSON.stringify(profile));
  };
  if (kind === 'heap' || kind === 'heap-survivors') {
    const includeObjectsCollectedByMinorGC = kind === 'heap';
    return {
      // Every 4 KiB allocated, objects collected since included (minus the scavenged ones for heap-survivors).
      start: () => session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC }),
      stop: (name) => session.post('HeapProfiler.stopSampling', (err, result) => void (err === null && save(name, 'heapprofile', result.profile))),
    };
  }
  return {
    start: () => session.post('Profiler.enable', () => session.post('Profiler.start')),
    stop: (name) => session.post('Profiler.stop', (err, result) => void (err === null && save(name, 'cpuprofile', result.profile))),
  };
}

// ---- the device side (this process) --------------------------------------------------------------------------

/** One server under test in a child process, driven over IPC (harness/campaign/server-process.ts). */
class ServerProcess {
  readonly #process: ForkedServer<ToServer, FromServer>;
  #nextId = 0;

  private constructor(process: ForkedServer<ToServer, FromServer>) {
    this.#process = process;
  }

  static async start(kind: Kind, dataDir: string, codeRoot = REPO_ROOT, repliesFile = ''): Promise<{ server: ServerProcess; ready: Extract<FromServer, { type: 'ready' }> }> {
    const execArgv = (process.env['DMC_BENCH_SERVER_EXEC_ARGV'] ?? '').split(' ').filter(Boolean);
    const { server, ready } = await ForkedServer.start<ToServer, FromServer>(fileURLToPath(import.meta.url), [SERVE, kind, dataDir, codeRoot, repliesFile], { execArgv, name: `${kind} server` });
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
  measure(on: false): Promise<Omit<Extract<FromServer, { type: 'rss' }>, 'type'>>;
  measure(on: boolean): void | Promise<Omit<Extract<FromServer, { type: 'rss' }>, 'type'>> {
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
  /**
   * p99 of the sessions after each device's first (NaN with one session per device). The first sessions pay the
   * TLS handshakes and meet the server's code before V8 has compiled it; in the steady state they alone make the p99.
   */
  p99AfterFirst: number;
  peakRssMb: number;
  /** CPU time (user + system) the server process spent per session: far steadier than wall time on a busy machine. */
  cpuMsPerSession: number;
  /** The part of it on the server's threads other than the main one (thread-cpu.ts); undefined where unreadable. */
  helperCpuMsPerSession: number | undefined;
  failures: number;
  firstFailure?: string;
  /** The load generator (this process): CPU per session, share of one core over the run, event-loop delay p99. */
  genCpuMsPerSession: number;
  genCoreShare: number;
  genLoopP99Ms: number;
  /** TLS connections the devices opened in the measured phase, and how many resumed an earlier TLS session. */
  connections: number;
  resumed: number;
}

/** Every device runs its sessions one after another, all devices at once; a session is timed from its first byte. */
async function measure(
  server: ServerProcess, devices: number, sessions: number, runSession: (device: number, session: number) => Promise<void>,
): Promise<Omit<Figures, 'connections' | 'resumed'>> {
  const latencies: number[] = [];
  const afterFirst: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  server.measure(true);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const genCpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: devices }, async (_, d) => {
    for (let s = 0; s < sessions; s += 1) {
      try {
        const t0 = performance.now();
        await runSession(d, s);
        const latency = performance.now() - t0;
        latencies.push(latency);
        if (s > 0) afterFirst.push(latency);
      } catch (err) {
        failures += 1;
        firstFailure ??= (err as Error).message;
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const gen = process.cpuUsage(genCpu);
  loop.disable();
  const genCpuMs = (gen.user + gen.system) / 1000;
  const { peakMb, cpuMs, helperCpuMs } = await server.measure(false);
  latencies.sort((a, b) => a - b);
  afterFirst.sort((a, b) => a - b);
  return {
    sessionsPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    p99AfterFirst: percentile(afterFirst, 99),
    peakRssMb: peakMb,
    cpuMsPerSession: cpuMs / Math.max(1, latencies.length),
    helperCpuMsPerSession: helperCpuMs === undefined ? undefined : helperCpuMs / Math.max(1, latencies.length),
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
    genCpuMsPerSession: genCpuMs / Math.max(1, latencies.length),
    genCoreShare: genCpuMs / (elapsed * 1000),
    genLoopP99Ms: loop.percentile(99) / 1e6,
  };
}

/** The management URL as Windows calls it. */
function sessionUrl(managementUrl: string): string {
  return `${managementUrl}?mode=Maintenance&Platform=WoA`;
}

/** One real OMA-DM session of `device`: its opening, the server's reply, its answers, the server's closing reply. */
async function realSession(
  url: string, tls: { ca: string; agent: Agent }, device: EnrolledDevice, sessionId: string, managementUrl: string,
): Promise<{ bodies: [string, string]; replies: [string, string] }> {
  const bodyOne = buildSyncML(opening(device.deviceId, sessionId, managementUrl));
  const first = await post(url, bodyOne, SYNCML, tls);
  if (first.status !== 200) throw new Error(`${device.deviceId}: HTTP ${first.status} ${first.body.slice(0, 200)}`);
  const bodyTwo = buildSyncML(answers(parseSyncML(first.body), device.deviceId, managementUrl));
  const second = await post(url, bodyTwo, SYNCML, tls);
  if (second.status !== 200) throw new Error(`${device.deviceId}: HTTP ${second.status} ${second.body.slice(0, 200)}`);
  return { bodies: [bodyOne, bodyTwo], replies: [first.body, second.body] };
}

/** Throws unless the script's sync() settled with every command answered. */
function checkSettled(deviceId: string, outcome: Extract<FromServer, { type: 'settled' }>): void {
  if (outcome.error !== undefined || outcome.count !== COMMANDS_PER_SESSION) {
    throw new Error(`${deviceId}: ${outcome.error ?? `${outcome.count} results`}`);
  }
}

/** Runs one server kind against the enrolled devices: queue (IPC, untimed), two HTTPS messages (timed), settle. */
async function drive(
  kind: Kind, dataDir: string, enrolled: EnrolledDevice[], load: Load,
  bodies?: [string, string], codeRoot?: string, repliesFile?: string,
): Promise<Figures> {
  const { server, ready } = await ServerProcess.start(kind, dataDir, codeRoot, repliesFile);
  const tally = { counting: false, connections: 0, resumed: 0 };
  const agents = enrolled.map((d) => countingConnections(new Agent({ keepAlive: true, maxSockets: 1, ca: ready.caPem, cert: d.certPem, key: d.keyPem }), tally));
  const url = sessionUrl(ready.managementUrl);
  // Each device sends the recorded bodies under its own ID (the IDs are of one length, so the bytes stay the same),
  // made before the measured phase: the floor route keeps a file per device, as the harness does.
  const sample = enrolled[0]?.deviceId ?? '';
  const bodiesOf = bodies === undefined ? undefined : enrolled.map((d) => bodies.map((body) => body.replaceAll(sample, d.deviceId)) as [string, string]);
  try {
    tally.counting = true;
    const figures = await measure(server, enrolled.length, load.sessionsPerDevice, async (d, s) => {
      const device = enrolled[d]!;
      const tls = { ca: ready.caPem, agent: agents[d]! };
      const { settled } = await server.sync(device.deviceId);
      const own = bodiesOf?.[d];
      if (own !== undefined) {
        await post(url, own[0], SYNCML, tls);
        await post(url, own[1], SYNCML, tls);
      } else {
        await realSession(url, tls, device, String(s + 1), ready.managementUrl);
      }
      // The DM client's way: the connection ends with the session; the agent keeps its TLS session for the next.
      if (load.connection === 'per-session') agents[d]!.destroy();
      checkSettled(device.deviceId, await settled);
    });
    tally.counting = false;
    return { ...figures, connections: tally.connections, resumed: tally.resumed };
  } finally {
    for (const agent of agents) agent.destroy();
    await server.stop();
  }
}

/** `agent`, counting into `tally` each TLS connection it opens while counting is on, and whether it was resumed. */
function countingConnections(agent: Agent, tally: { counting: boolean; connections: number; resumed: number }): Agent {
  const open = agent.createConnection.bind(agent) as (...args: unknown[]) => TLSSocket;
  agent.createConnection = ((...args: unknown[]) => {
    const socket = open(...args);
    socket.once('secureConnect', () => {
      if (!tally.counting) return;
      tally.connections += 1;
      if (socket.isSessionReused()) tally.resumed += 1;
    });
    return socket;
  }) as Agent['createConnection'];
  return agent;
}

/**
 * One real session of `device` against a harness server on `dataDir`: the device's two messages and the server's
 * two replies, as bytes. The same-bytes route answers with these replies, and the generator sends it these bodies.
 */
async function captureSession(dataDir: string, device: EnrolledDevice): Promise<{ bodies: [string, string]; replies: [string, string] }> {
  const { server, ready } = await ServerProcess.start('harness', dataDir);
  const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: ready.caPem, cert: device.certPem, key: device.keyPem });
  try {
    const { settled } = await server.sync(device.deviceId);
    const session = await realSession(sessionUrl(ready.managementUrl), { ca: ready.caPem, agent }, device, '1', ready.managementUrl);
    checkSettled(device.deviceId, await settled);
    const [bodyOne, bodyTwo] = session.bodies;
    if (!bodyOne.includes(FIRST_MSG_ID) || bodyTwo.includes(FIRST_MSG_ID)) throw new Error('the captured messages do not tell their MsgID apart');
    return session;
  } finally {
    agent.destroy();
    await server.stop();
  }
}

interface Baseline {
  ref: string;
  /** The baseline checkout's root, or undefined with the reason it is unavailable. */
  root: string | undefined;
  unavailable?: string;
  cleanup(): Promise<void>;
}

/** The server code of BASELINE_REF in a temporary folder (git archive, node_modules linked), or why not. */
async function prepareBaseline(): Promise<Baseline> {
  const ref = process.env['DMC_BENCH_BASELINE_REF'] || BASELINE_REF;
  const none = (unavailable: string): Baseline => ({ ref, root: undefined, unavailable, cleanup: async () => undefined });
  if (ref === 'none') return none('skipped (DMC_BENCH_BASELINE_REF=none)');
  const git = (...args: string[]): string => execFileSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    git('rev-parse', '--is-inside-work-tree');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : `${REPO_ROOT} is not a git checkout`;
    return none(`${why}, so the code of commit ${ref.slice(0, 7)} cannot be taken`);
  }
  try {
    git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`);
  } catch {
    return none(`commit ${ref.slice(0, 7)} is not in this clone (a shallow clone, or a history without it)`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'dmc-bench-baseline-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const root = join(dir, 'src');
    mkdirSync(root);
    execFileSync('git', ['-C', REPO_ROOT, 'archive', '--format=tar', '-o', join(dir, 'src.tar'), ref], { stdio: 'pipe' });
    execFileSync('tar', ['-xf', join(dir, 'src.tar'), '-C', root], { stdio: 'pipe' });
    await rm(join(dir, 'src.tar'));
    await symlink(realpathSync(join(REPO_ROOT, 'node_modules')), join(root, 'node_modules'), 'dir');
    if (!existsSync(join(root, 'harness/server/index.ts'))) {
      await cleanup();
      return none(`commit ${ref.slice(0, 7)} has no harness/server/index.ts`);
    }
    return { ref, root, cleanup };
  } catch (err) {
    await cleanup();
    return none(`could not extract commit ${ref.slice(0, 7)}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/**
 * What file work costs on the data folder's file system right now, so a reader can tell a slow server from a slow
 * disk: the server creates a transcript file per session and rewrites its queue file twice. On these VMs creating
 * a file swings between about 13 and 680 us of CPU within minutes (the file system's metadata falls out of a small
 * page cache), and the trivial route does no file work at all.
 */
function fileSystemProbe(parent: string): { createUs: number; rewriteUs: number } {
  const dir = join(parent, `fs-probe-${Date.now()}`);
  mkdirSync(dir);
  const text = 'x'.repeat(6000);
  const count = 200;
  const perCall = (work: (i: number) => void): number => {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i += 1) work(i);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / count;
  };
  try {
    const createUs = perCall((i) => closeSync(openSync(join(dir, `f${i}`), 'wx')));
    const rewriteUs = perCall((i) => writeFileSync(join(dir, `f${i}`), text, { flag: 'r+' }));
    return { createUs, rewriteUs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Column = 'trivial' | 'sameBytes' | 'floor' | 'baseline' | 'current';

function rotate<T>(items: T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** Each figure's median over the rounds; failures are summed, the first failure kept. */
function median(rounds: Figures[]): Figures {
  const mid = (pick: (f: Figures) => number): number => {
    const sorted = rounds.map(pick).sort((a, b) => a - b);
    const half = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
  };
  const firstFailure = rounds.find((f) => f.firstFailure !== undefined)?.firstFailure;
  return {
    sessionsPerSecond: mid((f) => f.sessionsPerSecond),
    p50: mid((f) => f.p50),
    p99: mid((f) => f.p99),
    p99AfterFirst: mid((f) => f.p99AfterFirst),
    peakRssMb: mid((f) => f.peakRssMb),
    cpuMsPerSession: mid((f) => f.cpuMsPerSession),
    helperCpuMsPerSession: rounds.some((f) => f.helperCpuMsPerSession === undefined) ? undefined : mid((f) => f.helperCpuMsPerSession ?? 0),
    failures: rounds.reduce((sum, f) => sum + f.failures, 0),
    ...(firstFailure === undefined ? {} : { firstFailure }),
    genCpuMsPerSession: mid((f) => f.genCpuMsPerSession),
    genCoreShare: mid((f) => f.genCoreShare),
    genLoopP99Ms: mid((f) => f.genLoopP99Ms),
    connections: mid((f) => f.connections),
    resumed: mid((f) => f.resumed),
  };
}

interface ScenarioFigures {
  label: string;
  trivial: Figures;
  sameBytes: Figures;
  floor: Figures;
  /** Bytes per session each way with the harness (device to server, server to device). */
  bytes: { in: number; out: number };
  baseline: Figures | undefined;
  current: Figures;
}

async function scenario(devices: number, load: Load, baseline: Baseline): Promise<ScenarioFigures> {
  const { sessionsPerDevice } = load;
  const work = await mkdtemp(join(tmpdir(), 'dmc-bench-server-'));
  try {
    // Setup: a harness server enrolls every device over HTTPS into a pristine data folder, then stops. Each measured
    // run starts on its own copy of it (so the restart path is exercised too, and no run sees another's sessions);
    // the trivial server reuses its TLS certificate.
    const pristine = join(work, 'pristine');
    const { server: enroller, ready } = await ServerProcess.start('harness', pristine);
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
    let runs = 0;
    const copy = async (): Promise<string> => {
      const dir = join(work, `run-${++runs}`);
      await cp(pristine, dir, { recursive: true });
      return dir;
    };

    // The trivial route gets the same bytes over the same kind of agents (same client certificates).
    const sample = enrolled[0]!;
    const bodyOne = buildSyncML(opening(sample.deviceId, '1', ready.managementUrl));
    const captured = await captureSession(await copy(), sample);
    const repliesFile = join(work, 'replies.json');
    writeFileSync(repliesFile, JSON.stringify(captured.replies));
    const bytes = {
      in: Buffer.byteLength(captured.bodies[0]) + Buffer.byteLength(captured.bodies[1]),
      out: Buffer.byteLength(captured.replies[0]) + Buffer.byteLength(captured.replies[1]),
    };
    const runOf: Record<Column, () => Promise<Figures>> = {
      trivial: async () => drive('trivial', await copy(), enrolled, load, [bodyOne, bodyOne.replace(FIRST_MSG_ID, '<MsgID>2</MsgID>')]),
      sameBytes: async () => drive('same-bytes', await copy(), enrolled, load, captured.bodies, undefined, repliesFile),
      floor: async () => drive('floor', await copy(), enrolled, load, captured.bodies, undefined, repliesFile),
      baseline: async () => drive('harness', await copy(), enrolled, load, undefined, baseline.root),
      current: async () => drive('harness', await copy(), enrolled, load),
    };
    const probeBefore = fileSystemProbe(work);
    const columns: Column[] = baseline.root === undefined ? ['trivial', 'sameBytes', 'floor', 'current'] : ['trivial', 'sameBytes', 'floor', 'baseline', 'current'];
    const figures: Record<Column, Figures[]> = { trivial: [], sameBytes: [], floor: [], baseline: [], current: [] };
    // Rounds, each in another order: on a shared VM the same server's CPU per session drifts by a third within
    // minutes, and the server that runs right after another one paid more in every order we tried. Rotating the
    // order and taking medians keeps both out of the ratios.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const column of rotate(columns, round)) figures[column].push(await runOf[column]());
    }
    const label = `${devices} devices x ${sessionsPerDevice}${load.connection === 'per-session' ? ', new conn.' : ''}`;
    const connection = load.connection === 'per-session' ? 'a new TLS connection per session (resumed)' : 'one keep-alive connection per device';
    console.log(`${label} session(s), ${COMMANDS_PER_SESSION} commands each, ${connection}; setup: ${devices} enrollments over HTTPS (MS-MDE2 RequestSecurityToken, 16 at a time): ${enrollSeconds.toFixed(1)} s`);
    console.log(`  bytes per session with the harness: ${bytes.in} from the device, ${bytes.out} to it (the trivial route: ${Buffer.byteLength(bodyOne) * 2} and ${Buffer.byteLength(TRIVIAL_REPLY) * 2})`);
    const probeAfter = fileSystemProbe(work);
    console.log(`  data folder's file system, CPU per call before and after the rounds: creating a file ${probeBefore.createUs.toFixed(0)} and ${probeAfter.createUs.toFixed(0)} us, rewriting one ${probeBefore.rewriteUs.toFixed(0)} and ${probeAfter.rewriteUs.toFixed(0)} us`);
    const medians = Object.fromEntries(columns.map((c) => [c, median(figures[c])])) as Partial<Record<Column, Figures>>;
    for (const column of columns) {
      const f = medians[column]!;
      if (f.failures > 0) console.log(`  ${column}: ${f.failures} session(s) failed in ${ROUNDS} round(s), first: ${f.firstFailure}`);
      console.log(`  ${column.padEnd(9)} server CPU ms/session by round: ${figures[column].map((r) => r.cpuMsPerSession.toFixed(2)).join(', ')}`);
    }
    return { label, trivial: medians.trivial!, sameBytes: medians.sameBytes!, floor: medians.floor!, bytes, baseline: medians.baseline, current: medians.current! };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** One table: a row per figure, a column per server, baseline and current side by side. */
function printTable(all: ScenarioFigures[], baseline: Baseline): void {
  const short = baseline.ref.slice(0, 7);
  const heads = ['trivial', 'same bytes', 'floor', `baseline ${short}`, 'current'];
  const rows: [string, (f: Figures, t: Figures, b: Figures, floor: Figures) => string][] = [
    ['sessions/s', (f) => f.sessionsPerSecond.toFixed(1)],
    ['server CPU ms/session', (f) => f.cpuMsPerSession.toFixed(2)],
    ['  on helper threads', (f) => f.helperCpuMsPerSession?.toFixed(2) ?? 'n/a'],
    ['  ratio to trivial', (f, t) => (f.cpuMsPerSession / t.cpuMsPerSession).toFixed(2)],
    ['  ratio to same bytes', (f, _t, b) => (f.cpuMsPerSession / b.cpuMsPerSession).toFixed(2)],
    ['  ratio to floor', (f, _t, _b, floor) => (f.cpuMsPerSession / floor.cpuMsPerSession).toFixed(2)],
    ['throughput ratio to trivial', (f, t) => (f.sessionsPerSecond / t.sessionsPerSecond).toFixed(2)],
    ['  to same bytes', (f, _t, b) => (f.sessionsPerSecond / b.sessionsPerSecond).toFixed(2)],
    ['p50 ms', (f) => f.p50.toFixed(0)],
    ['p99 ms', (f) => f.p99.toFixed(0)],
    ['  after each first session', (f) => (Number.isNaN(f.p99AfterFirst) ? 'n/a' : f.p99AfterFirst.toFixed(0))],
    ['server peak RSS MB', (f) => f.peakRssMb.toFixed(0)],
    ['generator CPU ms/session', (f) => f.genCpuMsPerSession.toFixed(2)],
    ['generator share of 1 core', (f) => `${(100 * f.genCoreShare).toFixed(0)}%`],
    ['generator loop delay p99 ms', (f) => f.genLoopP99Ms.toFixed(0)],
    ['TLS connections (resumed)', (f) => `${f.connections.toFixed(0)} (${f.resumed.toFixed(0)})`],
  ];
  const w0 = 30;
  const w = 18;
  console.log('');
  if (baseline.unavailable !== undefined) console.log(`baseline column unavailable: ${baseline.unavailable}`);
  for (const s of all) {
    console.log(`${s.label.padEnd(w0)}${heads.map((h) => h.padStart(w)).join('')}`);
    for (const [name, cell] of rows) {
      const cells = [s.trivial, s.sameBytes, s.floor, s.baseline, s.current].map((f) => (f === undefined ? 'n/a' : cell(f, s.trivial, s.sameBytes, s.floor)).padStart(w));
      console.log(`  ${name.padEnd(w0 - 2)}${cells.join('')}`);
    }
  }
  console.log(`medians of ${ROUNDS} round(s), each running the servers in another order.`);
  console.log('server CPU = user+system CPU of the server process over the measured phase, per session; generator = this process.');
  console.log("on helper threads = the part of it off the server's main thread (V8's JIT compiler and GC helpers, libuv's pool), from /proc.");
  console.log("same bytes = the trivial route answering with the harness's real replies to the device's real messages.");
  console.log('floor = same bytes, plus parsing each message and building its reply with the harness codec, and two appended lines per message in a file per device.');
  console.log("after each first session = the p99 without each device's first session (its TLS handshake, the server's code not yet compiled).");
}

export async function run(): Promise<void> {
  // DMC_BENCH_SERVER_SCENARIO=<index> runs one scenario only, e.g. while profiling.
  const only = process.env['DMC_BENCH_SERVER_SCENARIO'];
  const baseline = await prepareBaseline();
  const all: ScenarioFigures[] = [];
  try {
    for (const [index, { devices, ...load }] of SCENARIOS.entries()) {
      if (only === undefined || only === String(index)) all.push(await scenario(devices, load, baseline));
    }
  } finally {
    await baseline.cleanup();
  }
  printTable(all, baseline);
}

if (process.argv[2] === SERVE) await serve(process.argv[3] as Kind, process.argv[4] ?? '', process.argv[5] || REPO_ROOT, process.argv[6] ?? '');
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
