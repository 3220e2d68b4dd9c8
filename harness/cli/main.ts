/**
 * The `dmc` command: one verb per module, each registered here.
 * A user's mistake ends with one line naming what was wrong (exit 2); only a fault of the harness itself shows a
 * stack trace (exit 70, EX_SOFTWARE), because that is a bug report someone will need.
 */
import { Command, CommanderError } from 'commander';
import { DmcError, messageWithCode } from '../errors.js';
import { registerCalibrateCommand } from './calibrate-command.js';
import { registerCatalogCommand } from './catalog-command.js';
import { registerReportCommand } from './report-command.js';
import { registerRunCommand } from './run-command.js';
import { registerDoctorCommand } from './doctor-command.js';
import { registerEnrollCommands } from './enroll-command.js';
import { registerServerCommand } from './server-command.js';
import { registerVirtualDeviceCommand } from './virtual-device-command.js';
import { harnessVersion } from './version.js';

export function buildProgram(): Command {
  const program = new Command('dmc')
    .description('DMClient CSP conformance harness: test MDM server, virtual Windows device, catalogue')
    .version(harnessVersion())
    .exitOverride()
    .showHelpAfterError('(run `dmc --help` for the verbs and their options)');
  registerRunCommand(program);
  registerDoctorCommand(program);
  registerEnrollCommands(program);
  registerCalibrateCommand(program);
  registerCatalogCommand(program);
  registerServerCommand(program);
  registerVirtualDeviceCommand(program);
  registerReportCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed the usage problem (or the help / version text).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof DmcError) {
      process.stderr.write(`dmc: ${messageWithCode(error)}\n`);
      return 2;
    }
    process.stderr.write(`dmc: internal error (a bug in the harness, please report it):\n`);
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 70;
  }
}
