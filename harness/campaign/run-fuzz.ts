/**
 * `npm run fuzz`: the full reliability campaign (campaign.ts), minutes long, printing ONE table and exiting
 * non-zero when a goal is missed: 0 crashes, 0 5xx, 0 hangs over 5 s, 0 refusals that do not name what was wrong,
 * server RSS growth within RSS_GROWTH_LIMIT_BYTES, no secret in the server's log or transcripts, every
 * authentication refusal logged.
 * DMC_FUZZ_SEED=<n> replays a run (default: a fixed seed, so two runs try the same inputs).
 */
import { FULL_CAMPAIGN, runCampaign } from './campaign.js';
import { RSS_GROWTH_LIMIT_BYTES, formatExamples, formatTable } from './tally.js';

const seed = Number(process.env['DMC_FUZZ_SEED'] ?? 14);
if (!Number.isInteger(seed)) {
  console.error(`DMC_FUZZ_SEED must be an integer, received ${JSON.stringify(process.env['DMC_FUZZ_SEED'])}`);
  process.exit(2);
}
const started = performance.now();
const result = await runCampaign({ ...FULL_CAMPAIGN, seed, progress: (line) => console.error(`fuzz: ${line}`) });
const seconds = (performance.now() - started) / 1000;
const missed = [
  ...result.tally.missedGoals(),
  ...result.leakedSecrets.map((s) => `secret found: ${s}`),
  ...result.unloggedRefusals.map((c) => `refusal not logged: ${c}`),
];
console.log(formatTable(result.tally));
console.log(
  `seed ${seed}; ${seconds.toFixed(0)} s; corpus ${result.corpusSizes.syncml} SyncML + ${result.corpusSizes.discovery}/${result.corpusSizes.policy}/${result.corpusSizes.enrollment} SOAP seeds; ` +
  `RSS goal: growth at most ${RSS_GROWTH_LIMIT_BYTES / 2 ** 20} MB; secrets in log and transcripts: ${result.leakedSecrets.length}`,
);
for (const line of formatExamples(result.tally)) console.log(`  ${line}`);
if (missed.length > 0) {
  console.log(`goals missed: ${missed.join('; ')}`);
  process.exitCode = 1;
} else {
  console.log('every goal met');
}
