import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeAgent, cleanStderr, runProbe, type CommandResult, type ProbeRequest, type Transport } from './agent.js';
import { decodeProbeCommand } from './probe-invocation.js';
import { cannedOutput } from './test-support/canned-outputs.js';
import { isProbeName } from './probe-catalog.js';

/** A transport that decodes each command as a device would and answers with canned output or a given result. */
class RecordingTransport implements Transport {
  readonly target = 'test@device:22';
  readonly requests: ProbeRequest[] = [];
  constructor(private readonly reply?: (request: ProbeRequest) => Partial<CommandResult>) {}
  async exec(request: ProbeRequest): Promise<CommandResult> {
    this.requests.push(request);
    const decoded = decodeProbeCommand(request.commandLine);
    const stdout = isProbeName(decoded.probe) ? JSON.stringify(cannedOutput(decoded.probe, decoded.args)) : '';
    return { stdout, stderr: '', exitCode: 0, durationMs: 5, attempts: 1, ...this.reply?.(request) };
  }
  async close(): Promise<void> {}
}

test('operations send their arguments under the probe parameter names', async () => {
  const transport = new RecordingTransport();
  const agent = new ProbeAgent(transport);
  await agent.eventLog({ logName: 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin', since: new Date('2026-11-28T17:00:00Z'), ids: [208, 209], maxEvents: 50 });
  await agent.trustCa('-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----\n');
  await agent.triggerSync('0F3B1C2D-1111-2222-3333-444455556666', { timeoutSeconds: 10 });
  const decoded = transport.requests.map((r) => decodeProbeCommand(r.commandLine));
  assert.deepEqual(decoded[0]?.args, { LogName: 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin', Since: '2026-11-28T17:00:00.000Z', Ids: ['208', '209'], MaxEvents: 50 });
  assert.deepEqual(decoded[1]?.args, { Certificate: 'MIIBAAAA' });
  assert.deepEqual(decoded[2]?.args, { EnrollmentId: '0F3B1C2D-1111-2222-3333-444455556666', TimeoutSeconds: 10 });
  assert.deepEqual(transport.requests.map((r) => [r.timeoutMs, r.retryable]), [[60_000, true], [60_000, true], [40_000, false]]);
});

test('registry snapshots diff through the agent', async () => {
  const agent = new ProbeAgent(new RecordingTransport());
  const before = await agent.snapshotRegistry(['HKLM:\\SOFTWARE\\A']);
  const after = await agent.snapshotRegistry(['HKLM:\\SOFTWARE\\A', 'HKLM:\\SOFTWARE\\B']);
  const { diffSnapshots } = await import('./agent.js');
  assert.deepEqual(diffSnapshots(before, after).addedKeys, ['HKLM:\\SOFTWARE\\B']);
});

test('bad arguments are refused before anything is sent', async () => {
  const transport = new RecordingTransport();
  await assert.rejects(runProbe(transport, 'registry-read', { Path: 'HKLM:\\X' }), { message: 'probe registry-read: argument "Name" is required' });
  await assert.rejects(runProbe(transport, 'registry-read', { Path: 'HKLM:\\X', Name: 'v', Extra: 'x' }), {
    message: 'probe registry-read: argument "Extra" is not a parameter of this probe (it takes Path, Name)',
  });
  await assert.rejects(runProbe(transport, 'event-log', { LogName: 'System', Since: 'x', MaxEvents: '5' }), { message: 'probe event-log: argument "MaxEvents" must be int' });
  assert.equal(transport.requests.length, 0);
});

test('the enroll password is redacted in the call record but reaches the device', async () => {
  const transport = new RecordingTransport();
  const agent = new ProbeAgent(transport);
  await agent.enroll({ discoveryUrl: 'https://mdm.example/EnrollmentServer/Discovery.svc', user: 'u@example', password: 'pa$$-Wörd' });
  assert.equal(decodeProbeCommand(transport.requests[0]!.commandLine).args.Password, 'pa$$-Wörd');
  assert.equal(agent.calls[0]?.args.Password, '<secret>');
  assert.ok(!JSON.stringify(agent.calls).includes('pa$$-Wörd'));
  assert.equal(transport.requests[0]?.timeoutMs, 330_000);
});

test('a failing probe is recorded with its error code and the stderr kept', async () => {
  const clixml = '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Get-Tpm : Access denied_x000D__x000A_</S><S S="Error">At line:1 &lt;here&gt;_x000D__x000A_</S></Objs>';
  const agent = new ProbeAgent(new RecordingTransport(() => ({ exitCode: 1, stdout: '', stderr: clixml })));
  await assert.rejects(agent.tpm(), {
    code: 'DMC_ERR_AGENT_PROBE_EXIT_NONZERO',
    message: 'test@device:22: probe tpm exited with code 1; stderr: "Get-Tpm : Access denied\\r\\nAt line:1 <here>"',
  });
  assert.equal(agent.calls[0]?.error, 'DMC_ERR_AGENT_PROBE_EXIT_NONZERO');
  assert.equal(agent.calls[0]?.stderr, 'Get-Tpm : Access denied\r\nAt line:1 <here>');
});

test('cleanStderr leaves plain text alone and decodes CLIXML', () => {
  assert.equal(cleanStderr('  plain error \n'), 'plain error');
  assert.equal(cleanStderr('#< CLIXML\n<Objs><S S="Error">a_x000A_b &amp; c</S><S S="Progress">x</S></Objs>'), 'a\nb & c');
});

test('a schema failure lists the paths of the first problems', async () => {
  const agent = new ProbeAgent(new RecordingTransport(() => ({ stdout: '{"probe":"os-info","build":"22631","ubr":-1}' })));
  await assert.rejects(agent.osInfo(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'DMC_ERR_AGENT_PROBE_OUTPUT_SCHEMA');
    assert.match(err.message, /^test@device:22: probe os-info output does not match its schema: build: .*; ubr: .*; skuId: .*; and \d+ more; stdout: /);
    return true;
  });
});
