import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server as NetServer } from 'node:net';
import { SshAgent, type SshTargetConfig } from './ssh-agent.js';
import type { CallRecord } from './agent.js';
import { generateKeyPair, startProbeSshServer, type KeyPair, type ProbeSshServer } from './test-support/probe-ssh-server.js';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const USER = 'labadmin';
const PASSWORD = 'S3cret-pa55word!';
let clientKey: KeyPair;
let server: ProbeSshServer;
let dir: string;
let keyFile: string;
const agents: SshAgent[] = [];

before(async () => {
  clientKey = generateKeyPair();
  dir = mkdtempSync(join(tmpdir(), 'dmc-ssh-agent-'));
  keyFile = join(dir, 'id_ed25519');
  writeFileSync(keyFile, clientKey.private, { mode: 0o600 });
  server = await startProbeSshServer({ user: USER, password: PASSWORD, clientKey });
});

after(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function agentFor(target: ProbeSshServer | number, config: Partial<SshTargetConfig> = {}): SshAgent {
  const port = typeof target === 'number' ? target : target.port;
  const pinned = typeof target === 'number' ? {} : { hostKey: target.hostKeyFingerprint };
  const agent = new SshAgent({ host: '127.0.0.1', port, user: USER, privateKeyFile: keyFile, connectTimeoutMs: 3000, ...pinned, ...config, env: { DMC_PW: PASSWORD, ...config.env } });
  agents.push(agent);
  return agent;
}

test('key login with a pinned host key runs a probe and keeps the call for the report', async () => {
  const agent = agentFor(server);
  const records: CallRecord[] = [];
  agent.onCall((r) => records.push(r));
  const path = "HKLM:\\SOFTWARE\\Microsoft\\Enrollments\\O'Brien ✓";
  const read = await agent.readRegistry(path, 'UPN');
  assert.equal(read.path, path, 'the argument crossed the wire intact');
  assert.equal((await agent.osInfo()).build, '10.0.22631');
  assert.equal(records.length, 2);
  assert.deepEqual(records[0]?.args, { Path: path, Name: 'UPN' });
  assert.equal(records[0]?.exitCode, 0);
  assert.equal(records[0]?.attempts, 1);
  assert.ok(records[0]!.stdout.startsWith('{"probe":"registry-read"'));
  assert.ok(records[0]!.durationMs >= 0);
  assert.deepEqual(agent.calls, records);
});

test('password login reads the password from the named variable and never records it', async () => {
  const agent = agentFor(server, { privateKeyFile: undefined, passwordEnv: 'DMC_PW' });
  const enrolled = await agent.enroll({ discoveryUrl: 'https://mdm.lab.example/EnrollmentServer/Discovery.svc', user: 'conformance@lab.example', password: PASSWORD });
  assert.equal(enrolled.registryFound, true);
  const call = server.calls.at(-1)!;
  assert.equal(call.args.Password, PASSWORD, 'the device got the password');
  assert.deepEqual(agent.calls[0]?.args.Password, '<secret>');
  const wrong = agentFor(server, { privateKeyFile: undefined, passwordEnv: 'DMC_PW', env: { DMC_PW: 'not-the-password' } });
  const err = await wrong.osInfo().then(() => undefined, (e: unknown) => e);
  assert.equal((err as Error).message, `labadmin@127.0.0.1:${server.port}: authentication failed for user "labadmin" (tried: password (from DMC_PW))`);
  const everything = JSON.stringify([agent.calls, wrong.calls, err, (err as Error).message, (err as Error).stack]);
  assert.ok(!everything.includes(PASSWORD) && !everything.includes('not-the-password'), 'a password leaked into a record or an error');
});

test('an unknown host key is refused with its fingerprint and how to pin it; acceptNewHostKey trusts it', async () => {
  const refused = agentFor(server, { hostKey: undefined });
  const callsBefore = server.calls.length;
  await assert.rejects(refused.osInfo(), {
    code: 'DMC_ERR_AGENT_HOST_KEY_UNKNOWN',
    message: `labadmin@127.0.0.1:${server.port}: host key ${server.hostKeyFingerprint} is not pinned; if this is the right machine, set hostKey: "${server.hostKeyFingerprint}" in the target (or pass acceptNewHostKey to trust it once)`,
  });
  assert.equal(server.calls.length, callsBefore, 'no command was sent to an unverified host');
  const trusting = agentFor(server, { hostKey: undefined, acceptNewHostKey: true });
  await trusting.tpm();
  assert.equal(trusting.hostKeyFingerprint, server.hostKeyFingerprint);
  assert.match(server.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
});

test('a changed host key (another server on the pinned target) is refused', async () => {
  const impostor = await startProbeSshServer({ user: USER, password: PASSWORD, clientKey });
  try {
    const agent = agentFor(impostor.port, { hostKey: server.hostKeyFingerprint });
    await assert.rejects(agent.osInfo(), {
      code: 'DMC_ERR_AGENT_HOST_KEY_CHANGED',
      message: `labadmin@127.0.0.1:${impostor.port}: host key changed: the server offered ${impostor.hostKeyFingerprint} but ${server.hostKeyFingerprint} is pinned; if the machine was reinstalled on purpose, set hostKey: "${impostor.hostKeyFingerprint}" in the target`,
    });
    assert.equal(impostor.calls.length, 0, 'no command reached the impostor');
  } finally {
    await impostor.close();
  }
});

test('a key the server does not accept fails authentication', async () => {
  const otherFile = join(dir, 'other_key');
  writeFileSync(otherFile, generateKeyPair().private, { mode: 0o600 });
  const agent = agentFor(server, { privateKeyFile: otherFile });
  await assert.rejects(agent.osInfo(), { code: 'DMC_ERR_AGENT_AUTH_FAILED', message: `labadmin@127.0.0.1:${server.port}: authentication failed for user "labadmin" (tried: publickey (${otherFile}))` });
});

test('an unusable key file is reported as such', async () => {
  const garbage = join(dir, 'garbage_key');
  writeFileSync(garbage, '-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n', { mode: 0o600 });
  await assert.rejects(agentFor(server, { privateKeyFile: garbage }).osInfo(), {
    code: 'DMC_ERR_AGENT_NO_CREDENTIALS',
    message: /^labadmin@127\.0\.0\.1:\d+: no way to log in: the private key cannot be used: Cannot parse privateKey/,
  });
});

test('login through an ssh-agent named by SSH_AUTH_SOCK', async (t) => {
  if (spawnSync('ssh-agent', ['-h']).error !== undefined) return t.skip('OpenSSH ssh-agent is not installed here');
  const socket = join(dir, 'agent.sock');
  const sshAgent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
    const added = spawnSync('ssh-add', [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, encoding: 'utf8' });
    assert.equal(added.status, 0, added.stderr);
    const agent = agentFor(server, { privateKeyFile: undefined, agent: true, env: { SSH_AUTH_SOCK: socket } });
    assert.equal((await agent.osInfo()).probe, 'os-info');
    assert.ok(server.authAttempts.includes(`publickey:${USER}`));
    await agent.close();
  } finally {
    sshAgent.kill();
  }
});

test('missing credentials fail before connecting', async () => {
  const agent = agentFor(server, { privateKeyFile: undefined, passwordEnv: 'DMC_NOT_SET', env: { DMC_NOT_SET: undefined } });
  await assert.rejects(agent.osInfo(), {
    code: 'DMC_ERR_AGENT_NO_CREDENTIALS',
    message: `labadmin@127.0.0.1:${server.port}: no way to log in: the environment variable DMC_NOT_SET named by passwordEnv is not set`,
  });
});

test('a closed port is unreachable', async () => {
  const probe: NetServer = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const agent = agentFor(port);
  await assert.rejects(agent.osInfo(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'DMC_ERR_AGENT_UNREACHABLE');
    assert.match(err.message, new RegExp(`^labadmin@127\\.0\\.0\\.1:${port}: unreachable: .*ECONNREFUSED`));
    return true;
  });
});

test('a server that accepts TCP but never speaks SSH hits the connect timeout', async () => {
  const silent = createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  try {
    const agent = agentFor(port, { connectTimeoutMs: 300 });
    await assert.rejects(agent.osInfo(), { code: 'DMC_ERR_AGENT_CONNECT_TIMEOUT', message: `labadmin@127.0.0.1:${port}: no SSH handshake within 300 ms` });
  } finally {
    silent.close();
    for (const a of agents) await a.close();
  }
});

test('failures of the probe itself: hang, non-zero exit, not JSON, wrong schema', async () => {
  const odd = await startProbeSshServer({
    user: USER, clientKey,
    handler: (call) => {
      if (call.probe === 'tpm') return { hang: true };
      if (call.probe === 'os-info') return { exitCode: 1, stderr: "Get-CimInstance : Access denied \r\nAt line:12 char:7\r\n" };
      if (call.probe === 'enrollments') return { stdout: 'WARNING: something\r\n{"probe":"enrollments"' };
      if (call.probe === 'device-guard') return { stdout: '{"probe":"device-guard","available":"yes"}' };
      return undefined;
    },
  });
  try {
    const agent = agentFor(odd, { commandTimeoutMs: 300 });
    const target = `labadmin@127.0.0.1:${odd.port}`;
    await assert.rejects(agent.tpm(), { code: 'DMC_ERR_AGENT_COMMAND_TIMEOUT', message: `${target}: probe tpm did not finish within 300 ms` });
    await assert.rejects(agent.osInfo(), {
      code: 'DMC_ERR_AGENT_PROBE_EXIT_NONZERO',
      message: `${target}: probe os-info exited with code 1; stderr: "Get-CimInstance : Access denied \\r\\nAt line:12 char:7"`,
    });
    await assert.rejects(agent.enrollments(), (err: Error & { code?: string; fields?: Record<string, unknown> }) => {
      assert.equal(err.code, 'DMC_ERR_AGENT_PROBE_OUTPUT_NOT_JSON');
      assert.match(err.message, /^labadmin@127\.0\.0\.1:\d+: probe enrollments printed no single JSON document \(.+\); stdout: "WARNING: something/);
      return true;
    });
    await assert.rejects(agent.deviceGuard(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DMC_ERR_AGENT_PROBE_OUTPUT_SCHEMA');
      assert.match(err.message, /probe device-guard output does not match its schema: available: .*; stdout: "\{\\"probe\\":\\"device-guard\\"/);
      return true;
    });
    // The connection survives a timed-out command: the next probe still works.
    assert.equal((await agent.sessionCounter()).available, false);
    assert.deepEqual(agent.calls.map((c) => c.error ?? 'ok'), [
      'DMC_ERR_AGENT_COMMAND_TIMEOUT', 'DMC_ERR_AGENT_PROBE_EXIT_NONZERO', 'DMC_ERR_AGENT_PROBE_OUTPUT_NOT_JSON', 'DMC_ERR_AGENT_PROBE_OUTPUT_SCHEMA', 'ok',
    ]);
    assert.equal(agent.calls[1]?.stderr, 'Get-CimInstance : Access denied \r\nAt line:12 char:7');
  } finally {
    await odd.close();
  }
});

test('a connection cut mid-command is reopened once; a second cut is an error', async () => {
  const flaky = await startProbeSshServer({
    user: USER, clientKey,
    handler: (call) => (call.probe === 'tpm' || call.probe === 'trigger-sync' || call.connection === 1 ? { dropConnection: true } : undefined),
  });
  try {
    const agent = agentFor(flaky);
    const os = await agent.osInfo();
    assert.equal(os.probe, 'os-info');
    assert.equal(agent.calls[0]?.attempts, 2);
    assert.equal(flaky.connections, 2);
    await assert.rejects(agent.tpm(), {
      code: 'DMC_ERR_AGENT_CONNECTION_DROPPED',
      message: `labadmin@127.0.0.1:${flaky.port}: the connection dropped while probe tpm ran (2 attempts): the SSH connection closed before the command ended`,
    });
    await assert.rejects(agent.triggerSync('0F3B1C2D-1111-2222-3333-444455556666'), { code: 'DMC_ERR_AGENT_CONNECTION_DROPPED', message: /\(1 attempts\)/ });
    assert.equal(flaky.calls.filter((c) => c.probe === 'trigger-sync').length, 1, 'trigger-sync changes the device, so it is not sent twice');
  } finally {
    await flaky.close();
  }
});

test('a connection closed while idle is reopened by the next call', async () => {
  const restarting = await startProbeSshServer({ user: USER, clientKey });
  try {
    const agent = agentFor(restarting);
    await agent.osInfo();
    restarting.disconnectAll();
    await new Promise((r) => setTimeout(r, 50));
    await agent.osInfo();
    assert.equal(restarting.connections, 2);
    assert.deepEqual(agent.calls.map((c) => c.attempts), [1, 1]);
  } finally {
    await restarting.close();
  }
});

test('no more than maxParallel commands run at once on a host', async () => {
  const slow = await startProbeSshServer({ user: USER, clientKey, handler: () => ({ delayMs: 80 }) });
  try {
    const agent = agentFor(slow, { maxParallel: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => agent.readRegistry(`HKLM:\\SOFTWARE\\K${i}`, 'V')));
    assert.deepEqual(results.map((r) => r.path), [0, 1, 2, 3, 4, 5].map((i) => `HKLM:\\SOFTWARE\\K${i}`));
    assert.equal(slow.maxConcurrent, 2);
    assert.equal(slow.connections, 1, 'one connection carries all commands');
  } finally {
    await slow.close();
  }
});

test('a command over the cmd.exe limit is refused before it is sent', async () => {
  const agent = agentFor(server);
  const before = server.calls.length;
  await assert.rejects(agent.trustCa('A'.repeat(4000)), (err: Error & { code?: string; fields?: { length: number } }) => {
    assert.equal(err.code, 'DMC_ERR_AGENT_COMMAND_TOO_LONG');
    assert.match(err.message, /the command of probe trust-ca is \d+ characters, more than the 8191 that cmd\.exe, the default OpenSSH shell accepts/);
    return true;
  });
  assert.equal(server.calls.length, before);
  const roomy = agentFor(server, { defaultShell: 'powershell' });
  assert.equal((await roomy.trustCa('A'.repeat(4000))).store, 'LocalMachine\\Root');
});
