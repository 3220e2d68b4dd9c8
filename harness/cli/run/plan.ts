/**
 * What `dmc run` hands to Playwright, worked out before anything starts: the inventory read and checked (a broken
 * one is refused with file:line and field), the targets chosen, the shard parsed, and the `playwright test`
 * arguments and environment. Pure apart from reading the inventory, so every rule is tested without a run.
 */
import { resolve } from 'node:path';
import { defaultInventory, loadInventory, type Inventory, type Target } from '../../../fixtures/targets/inventory.js';
import { errors } from '../errors.js';

export interface RunFlags {
  inventory?: string;
  target?: string[];
  grep?: string;
  tag?: string[];
  shard?: string;
  certify?: boolean;
  output?: string;
  workers?: string;
  config?: string;
}

export interface RunPlan {
  inventory: Inventory;
  /** Absolute path of the inventory file; undefined runs the default single virtual device. */
  inventoryFile: string | undefined;
  targets: Target[];
  shard: { current: number; total: number } | undefined;
  outputDir: string;
  /** How errors about `outputDir` name it: the option, or that it is the default the user did not choose. */
  outputOption: string;
  configFile: string;
  /** Arguments after `playwright`: `test --config ...`. */
  args: string[];
  /** --grep and --tag as the user gave them, e.g. `--tag group:pol`; undefined when the run selects no tests by name. */
  filter: string | undefined;
  /** The run's config and targets without the filter or shard, listing the tests as JSON: what a filter could match. */
  listArgs: string[];
  env: Record<string, string>;
}

/** A run's ID: its start time, safe in a file name and sorting in time order (2026-11-28T17-55-03Z). */
export function runId(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
}

export function parseShard(text: string): { current: number; total: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const current = Number(match?.[1]);
  const total = Number(match?.[2]);
  if (match === null || total < 1 || current < 1 || current > total) {
    throw errors.DMC_ERR_CLI_INVALID_OPTION.create({ option: '--shard', received: text, expected: 'i/n with 1 <= i <= n, e.g. 1/3' });
  }
  return { current, total };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Playwright's --grep is one regular expression over "title path + tags". --tag names tags (with or without "@");
 * a test is kept when it has any of them, and also matches --grep when both are given.
 */
export function grepPattern(grep: string | undefined, tags: readonly string[]): string | undefined {
  const tagAlternatives = tags.map((t) => `${escapeRegExp(t.startsWith('@') ? t : `@${t}`)}(?![\\w:-])`);
  const tagPattern = tagAlternatives.length === 0 ? undefined : `(?:${tagAlternatives.join('|')})`;
  if (grep !== undefined && grep !== '') {
    try {
      new RegExp(grep);
    } catch (error) {
      throw errors.DMC_ERR_CLI_INVALID_OPTION.create({ option: '--grep', received: grep, expected: `a regular expression (${(error as Error).message})` });
    }
  }
  if (tagPattern === undefined) return grep === '' ? undefined : grep;
  if (grep === undefined || grep === '') return tagPattern;
  return `^(?=[\\s\\S]*?(?:${grep}))(?=[\\s\\S]*?${tagPattern})`;
}

function chooseTargets(inventory: Inventory, names: readonly string[], inventoryName: string): Target[] {
  if (names.length === 0) return inventory.targets;
  const known = inventory.targets.map((t) => t.name);
  for (const name of names) {
    if (!known.includes(name)) throw errors.DMC_ERR_CLI_TARGET_UNKNOWN.create({ target: name, inventory: inventoryName, known });
  }
  return inventory.targets.filter((t) => names.includes(t.name));
}

export interface PlanContext {
  projectRoot: string;
  startedAt: Date;
  /** The command line recorded in results.json (the reporter redacts secrets). */
  commandLine: string[];
}

export function planRun(flags: RunFlags, context: PlanContext): RunPlan {
  // Read and check the inventory first: a broken one must be refused before a server or device starts.
  const inventoryFile = flags.inventory === undefined ? undefined : resolve(flags.inventory);
  const inventory = inventoryFile === undefined ? defaultInventory() : loadInventory(inventoryFile);
  const targets = chooseTargets(inventory, flags.target ?? [], flags.inventory ?? '(the default inventory)');
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  if (flags.workers !== undefined && !/^[1-9]\d{0,2}$/.test(flags.workers)) {
    throw errors.DMC_ERR_CLI_INVALID_OPTION.create({ option: '--workers', received: flags.workers, expected: 'a whole number from 1 to 999' });
  }
  const outputDir = resolve(flags.output ?? resolve(context.projectRoot, 'results', runId(context.startedAt)));
  const configFile = resolve(flags.config ?? resolve(context.projectRoot, 'playwright.config.ts'));

  const args = ['test', '--config', configFile];
  // Each target is one Playwright project named after it (fixtures/targets/inventory.ts projectMetadata).
  if ((flags.target ?? []).length > 0) for (const t of targets) args.push('--project', t.name);
  const listArgs = [...args, '--list', '--reporter=json'];
  const grep = grepPattern(flags.grep, flags.tag ?? []);
  if (grep !== undefined) args.push('--grep', grep);
  if (shard !== undefined) args.push('--shard', `${shard.current}/${shard.total}`);
  if (flags.certify === true) args.push('--forbid-only');

  const env: Record<string, string> = {
    DMC_RESULTS_DIR: outputDir,
    DMC_PROGRESS_FILE: resolve(outputDir, 'progress.jsonl'),
    DMC_COMMAND_LINE: JSON.stringify(context.commandLine),
    FORCE_COLOR: '0',
  };
  if (inventoryFile !== undefined) env['DMC_INVENTORY'] = inventoryFile;
  if (flags.workers !== undefined) env['DMC_WORKERS'] = flags.workers;
  if (flags.certify === true) env['DMC_CERTIFY'] = '1';
  if (shard !== undefined) {
    // The blob report of each shard feeds `playwright merge-reports`: playwright.config.ts adds the blob reporter,
    // writing to <DMC_RESULTS_DIR>/blob-report, when DMC_BLOB is 1.
    env['DMC_BLOB'] = '1';
  }
  const filter = [
    ...(flags.grep === undefined || flags.grep === '' ? [] : [`--grep ${JSON.stringify(flags.grep)}`]),
    ...(flags.tag ?? []).map((t) => `--tag ${t}`),
  ].join(' ');
  const outputOption = flags.output === undefined ? '--output (not given: the default results/<run-id>)' : '--output';
  return { inventory, inventoryFile, targets, shard, outputDir, outputOption, configFile, args, filter: filter === '' ? undefined : filter, listArgs, env };
}
