/**
 * The SyncML codec against raw fast-xml-parser on the same bytes: parse then build a realistic 5-command message
 * and a 500-command one (Windows-like Status, Results, Replace and Get with items).
 *
 * "codec" is parseSyncML(bytes) + buildSyncML(parsed): size and UTF-8 checks, the DOCTYPE scan, well-formedness
 * validation, the parse, the typed walk and the build. "raw" is XMLParser({ preserveOrder, parseTagValue: false })
 * + XMLBuilder({ preserveOrder }) on the same bytes: what any SyncML handling must at least cost. The ratio is
 * codec time over raw time (lower is better; the target is 1.5 or less).
 *
 * Run alone: `node --import tsx benchmarks/syncml-codec.bench.ts`; or with the others: `npm run bench`.
 */
import { pathToFileURL } from 'node:url';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { StatusCode, buildSyncML, buildSyncMLBytes, parseSyncML } from '../harness/syncml/index.js';
import type { Command, SyncML } from '../harness/syncml/index.js';

const POLL = './Vendor/MSFT/DMClient/Provider/MDM/Poll';

/** One group of the commands a Windows session exchanges: answer, result, a setting, a query. */
function group(n: number): Command[] {
  const cmd = (k: number): string => String(n * 4 + k + 2);
  return [
    {
      kind: 'Status', CmdID: cmd(0), MsgRef: '1', CmdRef: String(n + 3), Cmd: 'Replace',
      TargetRef: [`${POLL}/IntervalForFirstSetOfRetries`], SourceRef: [], Data: StatusCode.OK, Item: [],
    },
    {
      kind: 'Results', CmdID: cmd(1), MsgRef: '1', CmdRef: String(n + 4),
      Item: [
        {
          Source: { LocURI: './DevDetail/SwV' },
          Meta: { Format: 'chr', Type: 'text/plain' },
          Data: '10.0.19043.2364',
        },
      ],
    },
    {
      kind: 'Replace', CmdID: cmd(2),
      Item: [
        { Target: { LocURI: `${POLL}/IntervalForFirstSetOfRetries` }, Meta: { Format: 'int', Type: 'text/plain' }, Data: '15' },
        { Target: { LocURI: `${POLL}/NumberOfFirstRetries` }, Meta: { Format: 'int', Type: 'text/plain' }, Data: '8' },
      ],
    },
    {
      kind: 'Get', CmdID: cmd(3),
      Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/MDM/EntDMID' } }, { Target: { LocURI: './DevDetail/Ext/Microsoft/DeviceName' } }],
    },
  ];
}

function message(commandCount: number): SyncML {
  const commands: Command[] = [
    {
      kind: 'Status', CmdID: '1', MsgRef: '1', CmdRef: '0', Cmd: 'SyncHdr',
      TargetRef: ['https://mdm.example.test/ManagementServer/MDM.svc'], SourceRef: ['B5B954E81FBCB94EB79BD08BE625F4EE'],
      Data: StatusCode.OK, Item: [],
    },
  ];
  for (let n = 0; commands.length < commandCount; n++) commands.push(...group(n));
  commands.length = commandCount;
  return {
    SyncHdr: {
      VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '1F', MsgID: '2',
      Target: { LocURI: 'B5B954E81FBCB94EB79BD08BE625F4EE' },
      Source: { LocURI: 'https://mdm.example.test/ManagementServer/MDM.svc' },
    },
    SyncBody: { commands, Final: true },
  };
}

const rawParser = new XMLParser({ preserveOrder: true, parseTagValue: false });
const rawBuilder = new XMLBuilder({ preserveOrder: true });

function codec(bytes: Uint8Array): number {
  return buildSyncML(parseSyncML(bytes)).length;
}

function raw(bytes: Uint8Array): number {
  return (rawBuilder.build(rawParser.parse(bytes as Buffer)) as string).length;
}

/** Messages per second of `fn` over about `ms` milliseconds (after the caller warmed it up). */
function throughput(fn: (bytes: Uint8Array) => number, bytes: Uint8Array, ms: number): number {
  let count = 0;
  let sink = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < 5; i++) sink += fn(bytes);
    count += 5;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  if (sink === 0) throw new Error('benchmark produced no output');
  return (count * 1000) / elapsed;
}

export async function run(): Promise<void> {
  const rows: string[][] = [];
  for (const size of [5, 500]) {
    const bytes = buildSyncMLBytes(message(size));
    // Warm both paths, then alternate rounds so a busy neighbour slows both alike; keep each side's best round.
    throughput(codec, bytes, 300);
    throughput(raw, bytes, 300);
    let bestCodec = 0;
    let bestRaw = 0;
    for (let round = 0; round < 5; round++) {
      bestCodec = Math.max(bestCodec, throughput(codec, bytes, 300));
      bestRaw = Math.max(bestRaw, throughput(raw, bytes, 300));
    }
    rows.push([
      `${size} commands`,
      String(bytes.byteLength),
      bestCodec.toFixed(0),
      bestRaw.toFixed(0),
      (bestRaw / bestCodec).toFixed(2),
    ]);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const head = ['message', 'bytes', 'codec msg/s', 'raw fxp msg/s', 'codec/raw time'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log('parse + build, same bytes (codec/raw time: lower is better, target <= 1.5)');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
