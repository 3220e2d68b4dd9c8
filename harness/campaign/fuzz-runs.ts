/**
 * The fuzzing rows: seeded mutations of the corpus sent to the management endpoint (SyncML) and to Discovery,
 * XCEP and WSTEP (SOAP). Input i of a row is mutated by a random source forked from the row's seed, so
 * `[seed/i]` in a report names exactly one input.
 */
import type { CampaignServer } from './campaign-server.js';
import type { Corpus, Seed, SoapEndpoint } from './corpus.js';
import { SOAP_PATHS } from './corpus.js';
import { send, type Identity, type Outcome } from './http-probe.js';
import { Random } from './random.js';
import { rawBytes, rawMutate } from './raw-mutations.js';
import type { Tally } from './tally.js';
import { judgeSoap, judgeSyncML, type Judged } from './verdicts.js';

export const SYNCML_HEADERS = { 'content-type': 'application/vnd.syncml.dm+xml' };
export const SOAP_HEADERS = { 'content-type': 'application/soap+xml; charset=utf-8' };

/** Thrown when the server process died: the campaign stops there, and the table shows the crash. */
export class ServerCrashed extends Error {}

export function checkAlive(server: CampaignServer, tally: Tally, row: string, lastInput: string): void {
  const exit = server.exit;
  if (exit === undefined) return;
  tally.crash(row, `server exited (${exit.code ?? exit.signal}) after ${lastInput}; log tail: ${server.log().slice(-600)}`);
  throw new ServerCrashed(`the server process exited during ${row}`);
}

async function pool(count: number, width: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await work(next++);
  }));
}

interface FuzzRow {
  row: string;
  seeds: Seed[];
  count: number;
  seed: number;
  concurrency: number;
  /** Which URL, headers and identity input i goes out with. */
  target(index: number, random: Random): { url: string; headers: Record<string, string>; identity: Identity };
  judge(outcome: Outcome): Judged;
}

async function fuzzRow(server: CampaignServer, tally: Tally, spec: FuzzRow): Promise<void> {
  if (spec.seeds.length === 0) throw new Error(`${spec.row}: the corpus has no seeds`);
  const master = new Random(spec.seed);
  // One random source per input, drawn in order, so input i does not depend on the order answers arrive in.
  const sources = Array.from({ length: spec.count }, () => master.fork());
  tally.row(spec.row);
  await pool(spec.count, spec.concurrency, async (i) => {
    const random = sources[i]!;
    const seed = random.pick(spec.seeds);
    const mutated = rawMutate(seed.raw, random);
    const { url, headers, identity } = spec.target(i, random);
    const outcome = await send(url, rawBytes(mutated.text), headers, identity);
    const name = `${spec.seed}/${i} ${mutated.names.join('+')} of ${seed.origin}`;
    checkAlive(server, tally, spec.row, name);
    const judged = spec.judge(outcome);
    tally.count(spec.row, judged.verdict, judged.detail, { seed: name });
  });
}

export async function fuzzSyncML(input: {
  server: CampaignServer;
  tally: Tally;
  corpus: Corpus;
  count: number;
  seed: number;
  concurrency: number;
  /** The enrolled device the mutated messages speak for: most inputs carry its certificate, some none (digest path). */
  withCertificate: Identity;
  withoutCertificate: Identity;
}): Promise<void> {
  const url = `${input.server.ready.managementUrl}?mode=Maintenance&Platform=WoA`;
  await fuzzRow(input.server, input.tally, {
    row: 'management: mutated SyncML',
    seeds: input.corpus.syncml,
    count: input.count,
    seed: input.seed,
    concurrency: input.concurrency,
    target: (_i, random) => ({
      url,
      // One in eight without a client certificate, so the digest path (Cred, nonces) is fuzzed too.
      headers: SYNCML_HEADERS,
      identity: random.int(8) === 0 ? input.withoutCertificate : input.withCertificate,
    }),
    judge: judgeSyncML,
  });
}

export const SOAP_ROWS: Record<SoapEndpoint, string> = {
  discovery: 'discovery: mutated SOAP',
  policy: 'policy (XCEP): mutated SOAP',
  enrollment: 'enrollment (WSTEP): mutated SOAP',
};

export async function fuzzSoap(input: {
  server: CampaignServer;
  tally: Tally;
  corpus: Corpus;
  endpoint: SoapEndpoint;
  count: number;
  seed: number;
  concurrency: number;
  identity: Identity;
}): Promise<void> {
  const url = `${input.server.ready.origin}${SOAP_PATHS[input.endpoint]}`;
  await fuzzRow(input.server, input.tally, {
    row: SOAP_ROWS[input.endpoint],
    seeds: input.corpus.soap[input.endpoint],
    count: input.count,
    seed: input.seed,
    concurrency: input.concurrency,
    target: () => ({ url, headers: SOAP_HEADERS, identity: input.identity }),
    judge: judgeSoap,
  });
}
