/**
 * Merging the results of a sharded run (`dmc run --shard i/n` on several machines) into one results package.
 * A test may come from one shard only: the same stable ID on the same target twice means the shards overlapped
 * or one run was fed in twice, and a silent pick would hide that. Targets are united; their session counts add up.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { errors } from './errors.js';
import { readResults, writeResultsPackage, writingReport } from './results-io.js';
import { RESULTS_FORMAT, RESULTS_FORMAT_VERSION, testKey, type Results, type TargetInfo } from './results-model.js';

export interface ShardResults {
  results: Results;
  /** Names the shard in errors and in `run.mergedFrom`. */
  file: string;
}

/** Worst first: a merged run is as bad as its worst shard. */
const STATUS_ORDER: Results['run']['status'][] = ['interrupted', 'timedout', 'failed', 'passed'];

function mergeTarget(into: TargetInfo, from: TargetInfo, files: { first: string; second: string }): void {
  for (const field of ['kind', 'profile', 'windowsBuild'] as const) {
    const a = into[field];
    const b = from[field];
    if (a !== undefined && b !== undefined && a !== b) {
      throw errors.DMC_ERR_REPORT_MERGE_TARGET_CONFLICT.create({ target: into.name, field, ...files, values: [a, b] });
    }
  }
  if (into.profile === undefined && from.profile !== undefined) into.profile = from.profile;
  if (into.windowsBuild === undefined && from.windowsBuild !== undefined) into.windowsBuild = from.windowsBuild;
  into.sessions += from.sessions;
  // Verdict counts add up like sessions (each shard counted its own tests); a shard without counts leaves none.
  if (into.verdicts !== undefined && from.verdicts !== undefined) {
    for (const [verdict, n] of Object.entries(from.verdicts) as Array<[keyof typeof from.verdicts, number]>) into.verdicts[verdict] = (into.verdicts[verdict] ?? 0) + n;
  } else {
    delete into.verdicts;
  }
  if (from.agentCalls !== undefined) into.agentCalls = (into.agentCalls ?? 0) + from.agentCalls;
  if (from.largestServerMessageBytes !== undefined) into.largestServerMessageBytes = Math.max(into.largestServerMessageBytes ?? 0, from.largestServerMessageBytes);
  if (from.transcriptLinesLost !== undefined) into.transcriptLinesLost = (into.transcriptLinesLost ?? 0) + from.transcriptLinesLost;
}

export function mergeResults(shards: readonly ShardResults[]): Results {
  const first = shards[0];
  if (first === undefined) throw errors.DMC_ERR_REPORT_MERGE_NOTHING.create({ count: 0 });
  const testOrigin = new Map<string, string>();
  const targets = new Map<string, { target: TargetInfo; file: string }>();
  const merged: Results = {
    format: RESULTS_FORMAT,
    formatVersion: RESULTS_FORMAT_VERSION,
    run: {
      ...structuredClone(first.results.run),
      shard: null,
      warnings: [],
      mergedFrom: [],
    },
    targets: [],
    tests: [],
  };
  for (const { results, file } of shards) {
    for (const test of results.tests) {
      const key = testKey(test);
      const seen = testOrigin.get(key);
      if (seen !== undefined) {
        throw errors.DMC_ERR_REPORT_MERGE_DUPLICATE.create({ id: test.id, target: test.target, first: seen, second: file });
      }
      testOrigin.set(key, file);
      merged.tests.push(structuredClone(test));
    }
    for (const target of results.targets) {
      const known = targets.get(target.name);
      if (known === undefined) targets.set(target.name, { target: structuredClone(target), file });
      else mergeTarget(known.target, target, { first: known.file, second: file });
    }
    const run = results.run;
    if (run.startedAt < merged.run.startedAt) merged.run.startedAt = run.startedAt;
    if (run.endedAt > merged.run.endedAt) merged.run.endedAt = run.endedAt;
    if (STATUS_ORDER.indexOf(run.status) < STATUS_ORDER.indexOf(merged.run.status)) merged.run.status = run.status;
    if (run.harnessVersion !== first.results.run.harnessVersion) {
      merged.run.warnings.push(`${file} was made by harness ${run.harnessVersion}, ${first.file} by ${first.results.run.harnessVersion}`);
    }
    merged.run.warnings.push(...run.warnings.map((w) => `${file}: ${w}`));
    merged.run.mergedFrom!.push({ file, shard: run.shard, startedAt: run.startedAt, endedAt: run.endedAt });
  }
  merged.targets = [...targets.values()].map((t) => t.target);
  return merged;
}

/**
 * Reads shard results.json files, merges them, and writes the merged package into `outDir` (results.json,
 * conformance.html, and each test's attachments copied to the same relative path, so links keep working).
 */
export function mergeResultFiles(files: readonly string[], outDir: string): Results {
  if (files.length === 0) throw errors.DMC_ERR_REPORT_MERGE_NOTHING.create({ count: 0 });
  const shards = files.map((file) => ({ file, results: readResults(file) }));
  const merged = mergeResults(shards);
  const dirOf = new Map<string, string>();
  for (const shard of shards) for (const test of shard.results.tests) dirOf.set(testKey(test), dirname(resolve(shard.file)));
  writingReport(outDir, () => writePackage(merged, dirOf, outDir));
  return merged;
}

/** Copies each test's attachments from beside its shard into `outDir`, then writes results.json and the page. */
function writePackage(merged: Results, dirOf: Map<string, string>, outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  for (const test of merged.tests) {
    const from = dirOf.get(testKey(test))!;
    test.attachments = test.attachments.filter((attachment) => {
      const source = join(from, attachment.path);
      const destination = join(outDir, attachment.path);
      if (resolve(source) === resolve(destination)) return true;
      if (!existsSync(source)) {
        merged.run.warnings.push(`${test.id} on ${test.target}: attachment ${attachment.path} is missing beside its shard`);
        return false;
      }
      mkdirSync(dirname(destination), { recursive: true });
      copyFileSync(source, destination);
      return true;
    });
  }
  writeResultsPackage(outDir, merged);
}
