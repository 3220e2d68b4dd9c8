/**
 * Issue #14, item 4: an SSH connection dropped in the middle of a probe ends in one clear error that names the
 * target and the probe (DMC_ERR_AGENT_CONNECTION_DROPPED), never in a crash, a hang, or a misleading "not JSON"
 * about the half of the output that arrived. The device is the agents' test SSH server, which destroys the TCP
 * socket under a running command.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshAgent } from './ssh-agent.js';
import { generateKeyPair, startProbeSshServer, type KeyPair, type ProbeSshServer } from './test-support/probe-ssh-server.js';

const USER = 'labadmin';
// Each test has a bound: a hang fails the test instead of stalling the run.
const BOUND = { timeout: 30_000 };
let clientKey: KeyPair;
let dir: string;
let keyFile: string;
const agents: SshAgent[] = [];
const servers: ProbeSshServer[] = [];

before(() => {
  clientKey = generateKeyPair();
  dir = mkdtempSync(join(tmpdir(), 'dmc-ssh-drop-'));
  keyFile = join(dir, 'id_ed25519');
  writeFileSync(keyFile, clientKey.private, { mode: 0o600 });
});

after(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

function agentFor(server: ProbeSshServer): SshAgent {
  const agent = new SshAgent({ host: '127.0.0.1', port: server.port, user: USER, privateKeyFile: keyFile, hostKey: server.hostKeyFingerprint, connectTimeoutMs: 5000 });
  agents.push(agent);
  return agent;
}

test('a device that goes away mid-probe (socket cut, nothing listening any more) is named with the probe, not just "unreachable"', BOUND, async () => {
  let gone: ProbeSshServer | undefined;
  gone = await startProbeSshServer({
    user: USER, clientKey,
    handler: (call) => {
      if (call.probe !== 'registry-read') return undefined;
      void gone!.close(); // a reboot: the command's socket goes and the port stops answering
      return { dropConnection: true };
    },
  });
  servers.push(gone);
  const agent = agentFor(gone);
  await agent.osInfo();
  const target = `${USER}@127.0.0.1:${gone.port}`;
  await assert.rejects(agent.readRegistry('HKLM:\\SOFTWARE\\Microsoft\\Enrollments', 'UPN'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'DMC_ERR_AGENT_CONNECTION_DROPPED');
    assert.equal(
      err.message,
      `${target}: the connection dropped while probe registry-read ran (1 attempts): the SSH connection closed before the command ended; ` +
        `reconnecting failed: unreachable: connect ECONNREFUSED 127.0.0.1:${gone!.port}`,
    );
    return true;
  });
  assert.equal(gone.calls.filter((c) => c.probe === 'registry-read').length, 1);
});

test('output cut off by a drop is a dropped connection, not "no JSON"; a read-only probe is sent again and answers', BOUND, async () => {
  const cut = (probe: string) => ({ stdout: `{"probe":"${probe}","bui`, dropConnection: true });
  const cutting = await startProbeSshServer({
    user: USER, clientKey,
    handler: (call) => ((call.probe === 'os-info' && call.connection === 1) || call.probe === 'trigger-sync' ? cut(call.probe) : undefined),
  });
  servers.push(cutting);
  const agent = agentFor(cutting);
  assert.equal((await agent.osInfo()).probe, 'os-info');
  assert.equal(agent.calls[0]?.attempts, 2, 'read-only: sent again on a new connection');
  await assert.rejects(agent.triggerSync('0F3B1C2D-1111-2222-3333-444455556666'), {
    code: 'DMC_ERR_AGENT_CONNECTION_DROPPED',
    message: `${USER}@127.0.0.1:${cutting.port}: the connection dropped while probe trigger-sync ran (1 attempts): the SSH connection closed before the command ended`,
  });
  assert.equal(cutting.calls.filter((c) => c.probe === 'trigger-sync').length, 1, 'a probe that changes the device is not sent twice');
});
