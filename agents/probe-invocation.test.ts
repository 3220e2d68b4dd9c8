import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeProbeCommand, encodeProbeCommand, buildProbeText, type ProbeArgs } from './probe-invocation.js';
import { errors } from './errors.js';

const probe = {
  name: 'registry-read',
  script: "# probe: registry-read\nparam([string]$Path, [string]$Name)\nif ($true) {\n  'x'\n}\n",
};

test('the command line is powershell.exe with -EncodedCommand of UTF-16LE text', () => {
  const line = encodeProbeCommand(probe, { Path: "HKLM:\\SOFTWARE\\O'Brien", Name: 'Ünïcødé ✓ 𝄞' });
  const [head, base64] = line.split(' -EncodedCommand ');
  assert.equal(head, 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass');
  const text = Buffer.from(base64 ?? '', 'base64').toString('utf16le');
  assert.equal(
    text,
    "$ErrorActionPreference='Stop'; $ProgressPreference='SilentlyContinue'\n& {\n" +
      "# probe: registry-read\nparam([string]$Path, [string]$Name)\nif ($true) {\n  'x'\n}\n" +
      "} -Path 'HKLM:\\SOFTWARE\\O''Brien' -Name 'Ünïcødé ✓ 𝄞'",
  );
});

test('arrays, ints and switches are rendered as PowerShell literals', () => {
  const text = buildProbeText(probe, { List: ['a', "b'c"], Empty: [], Count: -5, On: true, Off: false });
  assert.ok(text.endsWith("} -List @('a','b''c') -Empty @() -Count -5 -On -Off:$false"));
});

test('round trip: quotes, newlines, "}" and unicode in values come back unchanged', () => {
  const args: ProbeArgs = {
    Certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n} -X 'y'\n-----END CERTIFICATE-----",
    Paths: ["HKLM:\\A'B", '\n}', ''],
    Name: '日本語 — émoji 😀',
    Crlf: 'line one\r\nline two\r\n',
    Count: 42,
    Force: true,
  };
  const decoded = decodeProbeCommand(encodeProbeCommand(probe, args));
  assert.equal(decoded.probe, 'registry-read');
  assert.deepEqual(decoded.args, args);
  assert.equal(decoded.script, probe.script.trimEnd());
});

test('round trip holds for any string values (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.array(fc.string()), fc.integer(), (s, list, n) => {
      const args: ProbeArgs = { A: s, B: list, C: n };
      assert.deepEqual(decodeProbeCommand(encodeProbeCommand(probe, args)).args, args);
    }),
    { numRuns: 300 },
  );
});

test('decoding accepts the bare flag, -enc, -e, -ec, any case and a quoted powershell path', () => {
  const base64 = encodeProbeCommand(probe, { Name: 'v' }).split(' ').at(-1) ?? '';
  for (const line of [
    `-EncodedCommand ${base64}`,
    `powershell -enc ${base64}`,
    `PowerShell.EXE -noprofile -E ${base64}`,
    `"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe" -ExecutionPolicy Bypass -ec ${base64}`,
    `pwsh -encodedcommand ${base64}`,
    `"C:\\Program Files\\PowerShell\\7\\pwsh.exe" -NoProfile -EncodedCommand ${base64}`,
  ]) {
    assert.deepEqual(decodeProbeCommand(line).args, { Name: 'v' }, line);
  }
});

test('a command that is not a probe fails with DMC_ERR_AGENT_NOT_A_PROBE_COMMAND and a clear message', () => {
  assert.throws(() => decodeProbeCommand('whoami'), {
    code: 'DMC_ERR_AGENT_NOT_A_PROBE_COMMAND',
    message: 'not a probe command: no -EncodedCommand argument; received "whoami"',
  });
  const notProbe = Buffer.from('Get-Date', 'utf16le').toString('base64');
  assert.throws(() => decodeProbeCommand(`powershell.exe -enc ${notProbe}`), (err: unknown) => {
    assert.ok(errors.DMC_ERR_AGENT_NOT_A_PROBE_COMMAND.is(err));
    assert.equal(err.message, 'not a probe command: the text does not start with the probe preamble and "& {"; received "Get-Date"');
    return true;
  });
  assert.throws(() => decodeProbeCommand('cmd.exe /c -enc AAAA'), { code: 'DMC_ERR_AGENT_NOT_A_PROBE_COMMAND' });
  assert.throws(() => decodeProbeCommand('powershell -enc !!!'), { code: 'DMC_ERR_AGENT_NOT_A_PROBE_COMMAND' });
});

test('encoding refuses a script whose header names another probe, and bad argument names or numbers', () => {
  assert.throws(() => encodeProbeCommand({ name: 'tpm', script: probe.script }, {}), { code: 'DMC_ERR_AGENT_NOT_A_PROBE_COMMAND' });
  assert.throws(() => encodeProbeCommand(probe, { 'Bad Name': 'x' }), {
    message: 'probe registry-read: argument "Bad Name" is not a PowerShell parameter name',
  });
  assert.throws(() => encodeProbeCommand(probe, { N: 1.5 }), { message: 'probe registry-read: argument "N" must be an integer, received 1.5' });
});
