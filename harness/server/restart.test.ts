import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { buildSyncML, parseSyncML, type SyncML } from '../syncml/index.js';
import { startMdmServer } from './start-server.js';
import { filesOpenUnder } from './session/test-support.js';
import { enrollDevice, post } from './test-device.js';

const DEVICE = 'C0FFEE00000000000000000000000003';
const options = (dataDir: string) => ({ host: '127.0.0.1', port: 0, dataDir, user: 'u@example.test', password: 'pw-restart' });

function hello(managementUrl: string): SyncML {
  return {
    SyncHdr: { VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '1', MsgID: '1', Target: { LocURI: managementUrl }, Source: { LocURI: DEVICE } },
    SyncBody: { commands: [{ kind: 'Alert', CmdID: '2', Data: '1201', Item: [] }], Final: true },
  };
}

it('a restart with the same data dir keeps the CA, issued certificates, enrollments, nonces and queued commands', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dmc-restart-'));
  try {
    const first = await startMdmServer(options(dataDir));
    const ca = await readFile(first.caCertPath, 'utf8');
    const device = await enrollDevice({ baseUrl: new URL(first.discoveryUrl).origin, ca, deviceId: DEVICE, user: 'u@example.test', password: 'pw-restart' });
    const queued = first.device(DEVICE).sync([{ kind: 'Get', Item: [{ Target: { LocURI: './DevDetail/SwV' } }] }]);
    queued.catch(() => undefined); // the engine rejects the waiter on close; the command itself stays on disk
    const nonce = first.enrollments.get(DEVICE)?.clientDigest.nonce;
    await first.stop();
    // Transcripts and queue journals are appended through descriptors kept open; a stopped server holds none.
    assert.deepEqual(filesOpenUnder(dataDir) ?? [], []);

    const second = await startMdmServer(options(dataDir));
    try {
      assert.equal(await readFile(second.caCertPath, 'utf8'), ca);
      const record = second.enrollments.get(DEVICE);
      assert.equal(record?.certificate.pem.trim(), device.certPem.trim());
      assert.equal(record?.clientDigest.nonce, nonce);
      assert.ok(second.authority.findIssuedByThumbprint(record!.certificate.thumbprint));

      const res = await post(
        `${second.managementUrl}?mode=Maintenance&Platform=WoA`,
        buildSyncML(hello(second.managementUrl)),
        { 'content-type': 'application/vnd.syncml.dm+xml' },
        { ca, cert: device.certPem, key: device.keyPem },
      );
      assert.equal(res.status, 200, res.body);
      const get = parseSyncML(res.body).SyncBody.commands.find((c) => c.kind === 'Get');
      assert.equal(get?.kind === 'Get' ? get.Item[0]?.Target?.LocURI : undefined, './DevDetail/SwV');
      // The first write of the device's queue in this process is whole, the next one an append: its journal is
      // open then, with the device's transcript.
      const queueFile = join(dataDir, 'queues', `${DEVICE}.json`);
      for (const node of ['OEM', 'Manufacturer']) {
        second.device(DEVICE).sync([{ kind: 'Get', Item: [{ Target: { LocURI: `./DevDetail/${node}` } }] }]).catch(() => undefined);
        for (const deadline = Date.now() + 5000; !(await readFile(queueFile, 'utf8')).includes(`DevDetail/${node}`); ) {
          assert.ok(Date.now() < deadline, `the sync of ${node} reached the queue file`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
      const open = filesOpenUnder(dataDir);
      if (open !== undefined) assert.ok(open.some((path) => path.includes('/queues/')) && open.some((path) => path.includes('/transcripts/')), open.join(', '));
    } finally {
      await second.stop();
    }
    assert.deepEqual(filesOpenUnder(dataDir) ?? [], []);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
