import assert from 'node:assert/strict';
import { appendFile, copyFile, mkdtemp, readFile, readdir, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ExchangeRecord } from '../enrollment/index.js';
import { TranscriptWriter, transcriptFileLines } from './transcript.js';

function exchange(deviceId: string | undefined, sessionId: string, body: string, endpoint = 'management'): ExchangeRecord {
  return {
    at: new Date(0).toISOString(),
    durationMs: 1,
    endpoint,
    deviceId,
    sessionId,
    method: 'POST',
    url: '/ManagementServer/MDM.svc',
    remoteAddress: '127.0.0.1',
    request: { headers: { authorization: 'Basic eDp5' }, body: `<Cred><Data>${body}-secret</Data></Cred>${body}` },
    response: { status: 200, headers: {}, body },
    errorCode: undefined,
  };
}

const recordsOf = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as ExchangeRecord);
const bodiesOf = async (path: string) => (await recordsOf(path)).map((record) => record.response.body);
/** The response bodies of one session's lines, in file order. */
const sessionBodies = async (path: string, sessionId: string) =>
  (await recordsOf(path)).filter((record) => record.sessionId === sessionId).map((record) => record.response.body);

describe('transcript writer', () => {
  // Many devices and sessions interleaved: no line may be lost, reordered, land in another device's file or lose its
  // session, and credentials never reach the disk.
  it('keeps every exchange of every device and session, in order, redacted', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmc-transcript-'));
    try {
      const writer = new TranscriptWriter(dataDir);
      const devices = Array.from({ length: 300 }, (_, i) => `dev${i}`);
      for (const session of ['s1', 's2']) {
        for (let message = 1; message <= 3; message++) {
          for (const device of devices) writer.record(exchange(device, session, `${device}-${session}-${message}`));
          // Let some writes land between messages, as on a real server.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      await writer.flush();
      // The writer goes on after a flush.
      writer.record(exchange('dev0', 's2', 'dev0-s2-4'));
      await writer.flush();
      assert.equal(writer.failures, 0);
      assert.deepEqual((await readdir(writer.dir)).sort(), devices.map((d) => `${d}.jsonl`).sort());
      for (const device of devices) {
        // One file per device for all its sessions: a new file per session cost a file creation each (transcript.ts).
        const path = writer.pathFor(device);
        const s1 = [1, 2, 3].map((m) => `${device}-s1-${m}`);
        const s2 = [1, 2, 3].map((m) => `${device}-s2-${m}`);
        assert.deepEqual(await sessionBodies(path, 's1'), s1);
        assert.deepEqual(await sessionBodies(path, 's2'), device === 'dev0' ? [...s2, 'dev0-s2-4'] : s2);
        assert.deepEqual(await bodiesOf(path), device === 'dev0' ? [...s1, ...s2, 'dev0-s2-4'] : [...s1, ...s2]);
      }
      const text = await readFile(writer.pathFor('dev7'), 'utf8');
      assert.ok(!text.includes('-secret') && !text.includes('eDp5'), 'credentials are redacted');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a transcript rotated away (renamed, or truncated in place) loses no line: the next one starts the file again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmc-transcript-'));
    try {
      const writer = new TranscriptWriter(dataDir);
      const path = writer.pathFor('dev1');
      writer.record(exchange('dev1', '1', 'first'));
      await rename(path, `${path}.1`);
      writer.record(exchange('dev1', '2', 'second'));
      await copyFile(path, `${path}.2`);
      await truncate(path, 0);
      writer.record(exchange('dev1', '3', 'third'));
      assert.deepEqual(await bodiesOf(`${path}.1`), ['first']);
      assert.deepEqual(await bodiesOf(`${path}.2`), ['second']);
      assert.deepEqual(await bodiesOf(path), ['third'], 'copytruncate: appends go on at the new end');
      assert.equal(writer.failures, 0);
      writer.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('counts a line it cannot write instead of throwing, and writes again once the folder can be made', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmc-transcript-'));
    try {
      // A file where the transcripts folder should be: every mkdir under it fails.
      await writeFile(join(dataDir, 'transcripts'), 'in the way\n');
      const writer = new TranscriptWriter(dataDir);
      writer.record(exchange('dev1', 's1', 'lost-1'));
      writer.record(exchange('dev1', 's1', 'lost-2'));
      assert.equal(writer.failures, 2);
      await rm(join(dataDir, 'transcripts'));
      writer.record(exchange('dev1', 's1', 'kept'));
      assert.equal(writer.failures, 2);
      assert.deepEqual(await bodiesOf(writer.pathFor('dev1')), ['kept']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps a device\'s enrollment and sessions in its file, and exchanges that name no device in unidentified.jsonl', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'dmc-transcript-'));
    try {
      const writer = new TranscriptWriter(dataDir);
      for (const endpoint of ['discovery', 'policy', 'enrollment']) writer.record(exchange(undefined, 'enrollment', `anon-${endpoint}`, endpoint));
      writer.record(exchange(undefined, 'management', 'anon-refused'));
      writer.record(exchange('dev1', 'enrollment', 'dev1-enroll', 'enrollment'));
      writer.record(exchange('dev1', '1', 'dev1-session'));
      assert.deepEqual((await readdir(writer.dir)).sort(), ['dev1.jsonl', 'unidentified.jsonl']);
      assert.equal(writer.pathFor(undefined), join(writer.dir, 'unidentified.jsonl'));
      assert.deepEqual(await bodiesOf(writer.pathFor(undefined)), ['anon-discovery', 'anon-policy', 'anon-enrollment', 'anon-refused']);
      assert.deepEqual((await recordsOf(writer.pathFor('dev1'))).map((r) => [r.endpoint, r.sessionId, r.response.body]), [
        ['enrollment', 'enrollment', 'dev1-enroll'],
        ['management', '1', 'dev1-session'],
      ]);
      // Read back by endpoint family: OMA-DM sessions unless told; a device with no exchange yet has none.
      assert.deepEqual((await writer.exchangesOf('dev1')).map((r) => r.response.body), ['dev1-session']);
      assert.deepEqual((await writer.exchangesOf('dev1', 'enrollment')).map((r) => r.response.body), ['dev1-enroll']);
      assert.deepEqual(await writer.exchangesOf('dev2'), []);
      // Only a missing file reads as empty: one that cannot be opened is an error, never taken for a clean file.
      const unopenable = join(writer.pathFor('dev1'), 'below-a-file.jsonl');
      await assert.rejects(async () => {
        for await (const line of transcriptFileLines(unopenable)) assert.fail(`read ${line}`);
      }, { code: 'ENOTDIR' });
      // A line that is not one record() wrote is named by file and line, not skipped.
      await appendFile(writer.pathFor('dev1'), '{"at": 5}\n');
      await assert.rejects(writer.exchangesOf('dev1'), { message: new RegExp(`dev1\\.jsonl:3: not a transcript line \\(at: `) });
      await writeFile(writer.pathFor('dev3'), '\ntorn {\n');
      await assert.rejects(writer.exchangesOf('dev3'), { message: /dev3\.jsonl:2: not a transcript line \(.*JSON/ });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
