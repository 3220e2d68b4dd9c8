/**
 * `dmc server`: runs the test MDM server alone (enrollment + management over HTTPS) until SIGINT or SIGTERM.
 * Once listening it prints exactly one JSON line on stdout, {"discoveryUrl","managementUrl","caCert"}, so a script
 * can read where to point a device and which CA it must trust. On stop it warns on stderr when transcript lines
 * could not be written.
 */
import { Command } from 'commander';
import { errors } from '../server/errors.js';
import { lostTranscriptLines, startMdmServer, type MdmServer } from '../server/index.js';
import { prepareFolderOption } from './folder-option.js';

export interface ServerCommandOptions {
  /** Where the JSON line goes; process.stdout by default. */
  write?: (text: string) => void;
  /** Resolves when the server should stop; default: the first SIGINT or SIGTERM. */
  waitForStop?: () => Promise<void>;
  /** Environment to read DMC_PASSWORD from; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** Where a warning on stop goes; process.stderr by default. */
  warn?: (text: string) => void;
}

interface RawOptions {
  host: string;
  port: string;
  dataDir: string;
  user: string;
  password?: string;
  providerId?: string;
  publicHost?: string;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw errors.DMC_ERR_SERVER_INVALID_OPTION.create({ option: '--port', received: text, expected: 'an integer from 0 to 65535 (0 picks a free port)' });
  }
  return port;
}

export function registerServerCommand(program: Command, options: ServerCommandOptions = {}): void {
  program
    .command('server')
    .description('run the test MDM server (MS-MDE2 enrollment and OMA-DM management over HTTPS) until SIGINT/SIGTERM')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <number>', 'port to listen on; 0 picks a free one', '8443')
    .option('--data-dir <path>', 'folder for the CA, enrollments, queues and transcripts (kept across restarts; on a local disk, as small files are written with synchronous calls)', '.state/server')
    .requiredOption('--user <name>', 'enrollment user name devices must send (OnPremise UsernameToken)')
    .option('--password <secret>', 'enrollment password; or set the DMC_PASSWORD environment variable (keeps it out of ps and shell history)')
    .option('--provider-id <id>', 'DMClient ProviderID given to devices', 'DMCHarness')
    .option('--public-host <name>', 'host name devices use to reach the server (service URLs, server certificate)')
    .addHelpText('after', '\nOnce listening, prints one JSON line: {"discoveryUrl","managementUrl","caCert"}.')
    .action(async (raw: RawOptions) => {
      const password = raw.password ?? (options.env ?? process.env)['DMC_PASSWORD'];
      if (password === undefined || password === '') {
        throw errors.DMC_ERR_SERVER_INVALID_OPTION.create({
          option: '--password',
          received: '(none)',
          expected: 'given with --password or the DMC_PASSWORD environment variable',
        });
      }
      const port = parsePort(raw.port);
      await prepareFolderOption('--data-dir', raw.dataDir);
      const server: MdmServer = await startMdmServer({
        host: raw.host,
        port,
        dataDir: raw.dataDir,
        user: raw.user,
        password,
        ...(raw.providerId === undefined ? {} : { providerId: raw.providerId }),
        ...(raw.publicHost === undefined ? {} : { publicHost: raw.publicHost }),
      });
      // Listen for the stop signals before announcing readiness: a supervisor may signal as soon as it reads the
      // line, and the OS may run it before this process reaches its next statement (SIGTERM would then kill it).
      const stop = (options.waitForStop ?? untilSignal)();
      const line = `${JSON.stringify({ discoveryUrl: server.discoveryUrl, managementUrl: server.managementUrl, caCert: server.caCertPath })}\n`;
      (options.write ?? ((text: string) => process.stdout.write(text)))(line);
      await stop;
      await server.stop();
      const lost = lostTranscriptLines(server.transcripts, 'dmc server');
      if (lost !== undefined) (options.warn ?? ((text: string) => process.stderr.write(text)))(`${lost}\n`);
    });
}
