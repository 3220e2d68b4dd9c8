/** A fastify app with the three enrollment plugins over a real harness CA in a temp folder, for tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadOrCreateAuthority, type Authority } from '../pki/index.js';
import { discoveryPlugin } from './discovery-plugin.js';
import { EnrollmentStore } from './enrollment-store.js';
import type { ExchangeRecord } from './exchange.js';
import { issuerFromAuthority } from './pki-issuer.js';
import { policyPlugin } from './policy-plugin.js';
import { wstepPlugin } from './wstep-plugin.js';

export interface EnrollmentTestApp {
  app: FastifyInstance;
  authority: Authority;
  store: EnrollmentStore;
  dataDir: string;
  exchanges: ExchangeRecord[];
  close(): Promise<void>;
}

export async function createEnrollmentTestApp(options: { user: string; password: string; bodyLimit?: number }): Promise<EnrollmentTestApp> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dmc-enroll-'));
  const authority = await loadOrCreateAuthority({ dataDir, hosts: ['127.0.0.1'] });
  const store = await EnrollmentStore.open(dataDir);
  const exchanges: ExchangeRecord[] = [];
  const onExchange = (record: ExchangeRecord) => void exchanges.push(record);
  const credentials = { user: options.user, password: options.password };
  const app = Fastify({ logger: false });
  const limit = options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit };
  await app.register(discoveryPlugin, { onExchange, ...limit });
  await app.register(policyPlugin, { credentials, onExchange, ...limit });
  await app.register(wstepPlugin, {
    credentials,
    issuer: issuerFromAuthority(authority),
    store,
    providerId: 'DMCHarness',
    onExchange,
    ...limit,
  });
  await app.ready();
  return {
    app,
    authority,
    store,
    dataDir,
    exchanges,
    async close() {
      await app.close();
      await store.flush();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
