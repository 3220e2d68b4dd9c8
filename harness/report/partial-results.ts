/**
 * What a run left on disk, complete or not: `dmc report show` reads a results package directory (or a file in it)
 * and says whether the run ended. A run that was killed (SIGKILL, a crashed CI runner, a power cut) never reached
 * the reporter's onEnd, so it has no results.json, only results.partial.jsonl with one test entry per finished test.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { errors } from './errors.js';
import { readReportFile, readResults } from './results-io.js';
import { PARTIAL_FILE, RESULTS_FILE, testEntrySchema, type Results, type TestEntry } from './results-model.js';

export interface SkippedLine {
  /** 1-based line number in results.partial.jsonl. */
  line: number;
  problem: string;
}

export interface PartialRun {
  file: string;
  /** The entries that could be read, in the order the tests finished. */
  tests: TestEntry[];
  /** Lines that are not a test entry; a kill in the middle of a write leaves the last line cut off. */
  skipped: SkippedLine[];
}

export type RunOnDisk = { kind: 'complete'; file: string; results: Results } | { kind: 'partial'; partial: PartialRun };

/** Reads results.partial.jsonl line by line; a line that is not a whole test entry is named, not fatal. */
export function readPartialResults(file: string): PartialRun {
  const text = readReportFile(file);
  const tests: TestEntry[] = [];
  const skipped: SkippedLine[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const last = index === lines.length - 1; // no newline after it: the write never finished
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      skipped.push({ line: index + 1, problem: last ? 'cut off (the run stopped while writing it)' : `not JSON: ${(error as Error).message}` });
      return;
    }
    const parsed = testEntrySchema.safeParse(data);
    if (parsed.success) tests.push(parsed.data);
    else skipped.push({ line: index + 1, problem: `not a test entry: ${parsed.error.issues[0]?.path.join('.') || '(root)'} ${parsed.error.issues[0]?.message ?? ''}`.trim() });
  });
  return { file, tests, skipped };
}

/**
 * The run in `path`: a results package directory, its results.json, or its results.partial.jsonl. results.json
 * wins when both exist (the reporter writes it last, so the run ended); a directory with neither is an error.
 */
export function readRunOnDisk(path: string): RunOnDisk {
  const isDir = existsSync(path) && statSync(path).isDirectory();
  if (!isDir) {
    if (basename(path) === PARTIAL_FILE) return { kind: 'partial', partial: readPartialResults(path) };
    return { kind: 'complete', file: path, results: readResults(path) };
  }
  const complete = join(path, RESULTS_FILE);
  if (existsSync(complete)) return { kind: 'complete', file: complete, results: readResults(complete) };
  const partial = join(path, PARTIAL_FILE);
  if (existsSync(partial)) return { kind: 'partial', partial: readPartialResults(partial) };
  throw errors.DMC_ERR_REPORT_NO_RUN.create({ dir: path });
}
