/**
 * recordExchanges: what every endpoint plugin reports of an exchange for its transcript, from the notes its route
 * made, fastify's own timing and the bytes that really went out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { recordExchanges, type ExchangeRecord } from './exchange.js';

async function appRecording(exchanges: ExchangeRecord[] | undefined): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(async (context) => {
    context.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const notesOf = recordExchanges(context, {
      endpoint: 'test',
      onExchange: exchanges === undefined ? undefined : (record) => void exchanges.push(record),
      sessionIdOf: (notes) => notes.sessionId ?? 'none',
    });
    context.post('/slow', async (request, reply) => {
      const notes = notesOf(request);
      notes.deviceId = 'DEV-1';
      notes.sessionId = '7';
      await sleep(30);
      return reply.header('content-type', 'text/plain').send('answer é');
    });
    context.post('/fails', async (request) => {
      notesOf(request).deviceId = 'DEV-2';
      throw new Error('boom');
    });
    context.setErrorHandler((_err, request, reply) => {
      notesOf(request).errorCode = 'DMC_ERR_TEST';
      return reply.code(500).send(Buffer.from('refused'));
    });
  });
  return app;
}

test('an exchange is reported after its response with the route notes, both bodies as text and the time it took', async () => {
  const exchanges: ExchangeRecord[] = [];
  const app = await appRecording(exchanges);
  try {
    const res = await app.inject({ method: 'POST', url: '/slow?x=1', headers: { 'content-type': 'application/octet-stream' }, payload: Buffer.from('question ü') });
    assert.equal(res.body, 'answer é');
    assert.equal(exchanges.length, 1);
    const [record] = exchanges;
    assert.equal(record?.endpoint, 'test');
    assert.equal(record?.deviceId, 'DEV-1');
    assert.equal(record?.sessionId, '7');
    assert.equal(record?.method, 'POST');
    assert.equal(record?.url, '/slow?x=1');
    assert.equal(record?.request.body, 'question ü');
    assert.equal(record?.request.headers['content-type'], 'application/octet-stream');
    assert.deepEqual([record?.response.status, record?.response.body, record?.response.headers['content-type']], [200, 'answer é', 'text/plain']);
    assert.equal(record?.errorCode, undefined);
    // The route slept 30 ms: the duration covers the handler, not only the write.
    assert.ok((record?.durationMs ?? 0) >= 25, `durationMs ${record?.durationMs}`);
    assert.ok(!Number.isNaN(Date.parse(record?.at ?? '')));
  } finally {
    await app.close();
  }
});

test('a refused exchange carries the error code its handler noted and the Buffer body it sent; sessionIdOf fills the gap', async () => {
  const exchanges: ExchangeRecord[] = [];
  const app = await appRecording(exchanges);
  try {
    const res = await app.inject({ method: 'POST', url: '/fails', headers: { 'content-type': 'application/octet-stream' }, payload: 'x' });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(
      exchanges.map((e) => [e.deviceId, e.sessionId, e.errorCode, e.response.status, e.response.body]),
      [['DEV-2', 'none', 'DMC_ERR_TEST', 500, 'refused']],
    );
  } finally {
    await app.close();
  }
});

test('without a listener nothing is reported and routes can still take notes', async () => {
  const app = await appRecording(undefined);
  try {
    const res = await app.inject({ method: 'POST', url: '/slow', headers: { 'content-type': 'application/octet-stream' }, payload: 'x' });
    assert.equal(res.statusCode, 200);
  } finally {
    await app.close();
  }
});
