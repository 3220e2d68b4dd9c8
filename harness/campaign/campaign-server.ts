/**
 * The harness MDM server of the reliability campaign, in its own process (server-process.ts): real HTTPS with
 * the harness CA, 127.0.0.1 port 0, its refusal log (warn level, JSON lines) on stderr where the campaign reads
 * it back to check that no secret reached it. Run with --expose-gc so an RSS sample follows a collection and
 * measures what the server keeps, not what it has not yet collected.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startMdmServer, type MdmServer, type ServerTimeouts } from '../server/index.js';
import type { CommandDraft } from '../syncml/index.js';
import { ServerProcess } from './server-process.js';

const CHILD = '--campaign-server';
const CONFIG_ENV = 'DMC_CAMPAIGN_SERVER_CONFIG';

export interface CampaignServerConfig {
  dataDir: string;
  user: string;
  password: string;
  timeouts: Partial<ServerTimeouts>;
}

type ToServer =
  | { type: 'queue'; id?: number; deviceId: string; drafts: CommandDraft[] }
  | { type: 'rss'; id?: number }
  | { type: 'flush'; id?: number }
  | { type: 'stop'; id?: number };
type FromServer =
  | { type: 'ready'; id?: number; origin: string; discoveryUrl: string; managementUrl: string; caPem: string }
  | { type: 'queued'; id?: number }
  | { type: 'rss'; id?: number; rssBytes: number }
  | { type: 'flushed'; id?: number }
  | { type: 'stopped'; id?: number };

async function serve(config: CampaignServerConfig): Promise<void> {
  const send = (message: FromServer): void => void process.send?.(message);
  const server: MdmServer = await startMdmServer({
    host: '127.0.0.1',
    port: 0,
    dataDir: config.dataDir,
    user: config.user,
    password: config.password,
    timeouts: config.timeouts,
    log: process.stderr,
  });
  const gc = (globalThis as { gc?: () => void }).gc;
  // A driver that went away (killed, crashed) takes the server with it instead of leaving it listening.
  process.once('disconnect', () => void server.stop().finally(() => process.exit(0)));
  process.on('message', (message: ToServer) => {
    if (message.type === 'queue') {
      // The campaign only needs the commands delivered; their results (or a timeout) are not its concern.
      server.device(message.deviceId).sync(message.drafts, { timeout: 120_000 }).catch(() => undefined);
      send({ type: 'queued', id: message.id });
    } else if (message.type === 'rss') {
      gc?.();
      send({ type: 'rss', id: message.id, rssBytes: process.memoryUsage().rss });
    } else if (message.type === 'flush') {
      void Promise.all([server.transcripts.flush(), server.enrollments.flush()]).then(() => send({ type: 'flushed', id: message.id }));
    } else if (message.type === 'stop') {
      void server.stop().then(() => {
        send({ type: 'stopped' });
        process.disconnect();
      });
    }
  });
  send({
    type: 'ready',
    origin: new URL(server.discoveryUrl).origin,
    discoveryUrl: server.discoveryUrl,
    managementUrl: server.managementUrl,
    caPem: server.authority.caCertPem,
  });
}

export type CampaignServerReady = Extract<FromServer, { type: 'ready' }>;

/** The parent's handle on the campaign server process. */
export class CampaignServer {
  readonly ready: CampaignServerReady;
  readonly #process: ServerProcess<ToServer, FromServer>;

  private constructor(process: ServerProcess<ToServer, FromServer>, ready: CampaignServerReady) {
    this.#process = process;
    this.ready = ready;
  }

  static async start(config: CampaignServerConfig): Promise<CampaignServer> {
    const { server, ready } = await ServerProcess.start<ToServer, FromServer>(
      fileURLToPath(import.meta.url),
      [CHILD],
      // The configuration holds the enrollment password: in the environment, not on a command line ps shows.
      { execArgv: ['--expose-gc'], captureStderr: true, name: 'campaign server', env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) } },
    );
    return new CampaignServer(server, ready as CampaignServerReady);
  }

  /** Set once the server process has exited: during the campaign that is a crash. */
  get exit() {
    return this.#process.exit;
  }

  get exited() {
    return this.#process.exited;
  }

  /** Everything the server logged (its stderr). */
  log(): string {
    return this.#process.stderrText();
  }

  async queue(deviceId: string, drafts: CommandDraft[]): Promise<void> {
    await this.#process.request({ type: 'queue', deviceId, drafts }, 'queued');
  }

  /** The server process's RSS after a garbage collection. */
  async rssBytes(): Promise<number> {
    const answer = await this.#process.request({ type: 'rss' }, 'rss');
    return (answer as Extract<FromServer, { type: 'rss' }>).rssBytes;
  }

  async flush(): Promise<void> {
    await this.#process.request({ type: 'flush' }, 'flushed');
  }

  async stop(): Promise<void> {
    await this.#process.stop({ type: 'stop' });
  }

  kill(): void {
    this.#process.kill();
  }
}

if (process.argv[2] === CHILD && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = JSON.parse(process.env[CONFIG_ENV] ?? '{}') as CampaignServerConfig;
  delete process.env[CONFIG_ENV];
  await serve(config);
}
