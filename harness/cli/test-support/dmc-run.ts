/**
 * `dmc run` in this process, as the tests of the run command drive it: its output collected, its exit code kept,
 * its signals from an emitter the test owns. `env` is the whole environment the command sees; CI is blanked so the
 * run prints what a person at a terminal sees.
 */
import { EventEmitter } from 'node:events';
import { Command } from 'commander';
import { registerRunCommand } from '../run-command.js';

export interface DmcRunOutcome {
  out: string;
  exitCode: number | undefined;
}

export interface DmcRunOptions {
  env: NodeJS.ProcessEnv;
  signals?: EventEmitter;
  /** How often the run looks at Playwright's progress (ms); default 500. */
  pollMs?: number;
}

export function dmcRun(args: string[], options: DmcRunOptions): Promise<DmcRunOutcome> {
  const program = new Command('dmc').exitOverride();
  let out = '';
  let exitCode: number | undefined;
  registerRunCommand(program, {
    write: (t) => (out += t),
    setExitCode: (c) => (exitCode = c),
    signals: options.signals ?? new EventEmitter(),
    env: { ...options.env, CI: '' },
    argv: ['node', 'dmc', 'run', ...args],
    pollMs: options.pollMs ?? 500,
    heartbeatMs: 60_000,
  });
  return program.parseAsync(['run', ...args], { from: 'user' }).then(() => ({ out, exitCode }));
}
