/**
 * The SyncML codec against raw fast-xml-parser on the same bytes: parse then build a realistic 5-command message
 * and a 500-command one (Windows-like Status, Results, Replace and Get with items). Then how parse time grows on
 * shapes a hostile device could send (see HOSTILE_SHAPES).
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

/**
 * Shapes a hostile or broken device can send within the size limit. Parse time must grow with the size, not its
 * square: at 4× the input a linear parser takes about 4× the time (growth ≈ 1), a quadratic one about 16× (growth
 * ≈ 4). Each recounted its siblings or attribute names once per item before (a 1 MiB body took seconds).
 */
const HOSTILE_SHAPES: { name: string; body: (mebibytes: number) => string }[] = [
  {
    name: 'many commands',
    body: (mebibytes) => Array.from({ length: mebibytes * 10_000 }, (_, i) => `<Status><CmdID>${i + 1}</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`).join(''),
  },
  {
    name: 'many attributes',
    body: (mebibytes) => `<Status${Array.from({ length: mebibytes * 95_000 }, (_, i) => ` a${i}="1"`).join('')}><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>`,
  },
];

function hostileMessage(body: string): string {
  return '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID>' +
    '<MsgID>1</MsgID><Target><LocURI>https://mdm.example.test/</LocURI></Target><Source><LocURI>dev</LocURI></Source>' +
    `</SyncHdr><SyncBody>${body}<Final/></SyncBody></SyncML>`;
}

/** Best of three parse times in milliseconds. */
function parseMs(text: string): number {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    parseSyncML(text, { maxBytes: 16 * 1024 * 1024 });
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function hostileRows(): string[][] {
  const rows: string[][] = [];
  for (const shape of HOSTILE_SHAPES) {
    // From 1 MiB up: below that, whether the young generation holds the whole tree blurs the growth.
    const small = hostileMessage(shape.body(1));
    const large = hostileMessage(shape.body(4));
    parseMs(small);
    const smallMs = parseMs(small);
    const largeMs = parseMs(large);
    rows.push([shape.name, `${(small.length / 1024).toFixed(0)} → ${(large.length / 1024).toFixed(0)} KiB`, smallMs.toFixed(1), largeMs.toFixed(1), (largeMs / smallMs / 4).toFixed(2)]);
  }
  return rows;
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
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
  console.log('parse + build, same bytes (codec/raw time: lower is better, target <= 1.5)');
  printTable(['message', 'bytes', 'codec msg/s', 'raw fxp msg/s', 'codec/raw time'], rows);
  console.log('');
  console.log('hostile shapes, parse only at 1× and 4× the input (growth ≈ 1 is linear, ≈ 4 quadratic)');
  printTable(['shape', 'size', '1× ms', '4× ms', 'growth'], hostileRows());
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run();
}
