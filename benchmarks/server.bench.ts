/**
 * The MDM server under many devices at once, over real HTTPS with client certificates and keep-alive: each device
 * runs OMA-DM sessions of two messages (capture-05-like opening, then Status/Results for 20 queued commands) while
 * a script waits on `device(id).sync()` for those 20 commands. Side by side, in the same run and process, the same
 * clients send the same two bodies to a trivial fastify HTTPS route (same TLS settings, fixed answer): the ratio
 * shows what enrollment state, identity checks, SyncML and the session engine cost over bare fastify + TLS.
 *
 * Bounded: a fixed number of sessions per scenario (100 devices x 3 sessions, 1,000 devices x 1 session).
 * Devices share one RSA key (each still gets its own certificate and identity) so setup does not spend minutes
 * generating keys. Client and server share the process and the machine's cores, in both columns alike.
 *
 * Run alone: `node --import tsx benchmarks/server.bench.ts`; or with the others: `npm run bench`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { startMdmServer } from '../harness/server/index.js';
import { enrollDevice, post, type EnrolledDevice } from '../harness/server/test-device.js';
import { buildSyncML, parseSyncML, type Command, type CommandDraft, type SyncML } from '../harness/syncml/index.js';

const COMMANDS_PER_SESSION = 20;
const SCENARIOS = [
  { devices: 100, sessionsPerDevice: 3 },
  { devices: 1000, sessionsPerDevice: 1 },
] as const;
const SYNCML = { 'content-type': 'application/vnd.syncml.dm+xml' };
const POLL = './Device/Vendor/MSFT/DMClient/Provider/DMCHarness/Poll';

function drafts(): CommandDraft[] {
  const out: CommandDraft[] = [];
  for (let i = 0; i < COMMANDS_PER_SESSION / 2; i += 1) {
    out.push({ kind: 'Replace', Item: [{ Target: { LocURI: `${POLL}/IntervalForFirstSetOfRetries` }, Meta: { Format: 'int' }, Data: String(i + 1) }] });
    out.push({ kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] });
  }
  return out;
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

interface Figures { sessionsPerSecond: number; p50: number; p99: number; peakRssMb: number; failures: number; firstFailure?: string }

async function measure(runSession: (device: number, session: number) => Promise<number>, devices: number, sessions: number): Promise<Figures> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  await Promise.all(Array.from({ length: devices }, async (_, d) => {
    for (let s = 0; s < sessions; s += 1) {
      try {
        latencies.push(await runSession(d, s));
      } catch (err) {
        failures += 1;
        firstFailure ??= (err as Error).message;
      }
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);
  latencies.sort((a, b) => a - b);
  return {
    sessionsPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    peakRssMb: peak / 2 ** 20,
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}

async function scenario(devices: number, sessionsPerDevice: number): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dmc-bench-server-'));
  const server = await startMdmServer({ host: '127.0.0.1', port: 0, dataDir, user: 'bench@example.test', password: 'bench-pw' });
  try {
    const ca = await readFile(server.caCertPath, 'utf8');
    const base = new URL(server.discoveryUrl).origin;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ids = Array.from({ length: devices }, (_, i) => `BE${String(i).padStart(30, '0')}`);
    const enrolled: EnrolledDevice[] = [];
    const setup = performance.now();
    await pool(ids, 32, async (deviceId) => {
      enrolled.push(await enrollDevice({ baseUrl: base, ca, deviceId, user: 'bench@example.test', password: 'bench-pw', key: privateKey }));
    });
    const enrollSeconds = (performance.now() - setup) / 1000;
    const agents = enrolled.map((d) => new Agent({ keepAlive: true, maxSockets: 1, ca, cert: d.certPem, key: d.keyPem }));
    const url = `${server.managementUrl}?mode=Maintenance&Platform=WoA`;

    const harness = await measure(async (d, s) => {
      const device = enrolled[d]!;
      const tls = { ca, agent: agents[d]! };
      const results = server.device(device.deviceId).sync(drafts(), { timeout: 300_000 });
      results.catch(() => undefined); // a failed session is counted below; its commands stay queued
      const t0 = performance.now();
      const first = await post(url, buildSyncML(opening(device.deviceId, String(s + 1), server.managementUrl)), SYNCML, tls);
      const reply = parseSyncML(first.body);
      const second = await post(url, buildSyncML(answers(reply, device.deviceId, server.managementUrl)), SYNCML, tls);
      const latency = performance.now() - t0;
      if (first.status !== 200 || second.status !== 200) throw new Error(`${device.deviceId}: HTTP ${first.status}/${second.status} ${second.body.slice(0, 200)}`);
      const settled = await results;
      if (settled.length !== COMMANDS_PER_SESSION) throw new Error(`${device.deviceId}: ${settled.length} results`);
      return latency;
    }, devices, sessionsPerDevice);

    // The baseline sends the same bytes over the same agents (same client certificates) to a trivial route.
    const sample = enrolled[0]!;
    const bodyOne = buildSyncML(opening(sample.deviceId, '1', server.managementUrl));
    const bodyTwo = bodyOne.replace('<MsgID>1</MsgID>', '<MsgID>2</MsgID>');
    const trivial = Fastify({ https: server.authority.httpsOptions(), logger: false, keepAliveTimeout: 30_000 });
    trivial.addContentTypeParser('application/vnd.syncml.dm+xml', { parseAs: 'buffer' }, (_r, body, done) => done(null, body));
    trivial.post('/ManagementServer/MDM.svc', async (_req, reply) => reply.header('content-type', 'application/vnd.syncml.dm+xml').send('<SyncML/>'));
    await trivial.listen({ host: '127.0.0.1', port: 0 });
    const address = trivial.server.address();
    const trivialUrl = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/ManagementServer/MDM.svc`;
    const baseline = await measure(async (d) => {
      const tls = { ca, agent: agents[d]! };
      const t0 = performance.now();
      await post(trivialUrl, bodyOne, SYNCML, tls);
      await post(trivialUrl, bodyTwo, SYNCML, tls);
      return performance.now() - t0;
    }, devices, sessionsPerDevice);
    await trivial.close();
    for (const agent of agents) agent.destroy();

    const f = (n: number) => n.toFixed(1).padStart(8);
    console.log(`${devices} devices x ${sessionsPerDevice} session(s), ${COMMANDS_PER_SESSION} commands each (enrollment of all devices: ${enrollSeconds.toFixed(1)} s)`);
    console.log(`  ${''.padEnd(10)}${'sess/s'.padStart(8)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'RSS MB'.padStart(8)}`);
    console.log(`  ${'harness'.padEnd(10)}${f(harness.sessionsPerSecond)}${f(harness.p50)}${f(harness.p99)}${f(harness.peakRssMb)}`);
    console.log(`  ${'trivial'.padEnd(10)}${f(baseline.sessionsPerSecond)}${f(baseline.p50)}${f(baseline.p99)}${f(baseline.peakRssMb)}`);
    console.log(`  throughput ratio harness/trivial: ${(harness.sessionsPerSecond / baseline.sessionsPerSecond).toFixed(2)}`);
    for (const [name, figures] of [['harness', harness], ['trivial', baseline]] as const) {
      if (figures.failures > 0) console.log(`  ${name}: ${figures.failures} session(s) failed, first: ${figures.firstFailure}`);
    }
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  for (const { devices, sessionsPerDevice } of SCENARIOS) await scenario(devices, sessionsPerDevice);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
