import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPowerShellFile, findSyntaxProblems, formatProblem, readParamBlock } from './ps-parse.js';
import { PROBES, PROBE_NAMES, WINDOWS_PROBE_DIR, loadProbe } from './probe-catalog.js';
import { encodeProbeCommand, probeHeaderName } from './probe-invocation.js';

const agentsDir = dirname(fileURLToPath(import.meta.url));

function ps1Files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'node_modules' ? [] : ps1Files(join(dir, e.name))) : e.name.endsWith('.ps1') ? [join(dir, e.name)] : [],
  );
}

test('every .ps1 under agents/ parses with tree-sitter-powershell without ERROR or MISSING nodes', async () => {
  const files = ps1Files(agentsDir);
  assert.ok(files.length >= PROBE_NAMES.length, `found only ${files.length} .ps1 files`);
  const problems = (await Promise.all(files.map(checkPowerShellFile))).flat();
  assert.deepEqual(problems.map((p) => formatProblem({ ...p, file: relative(agentsDir, p.file) })), []);
});

test('the deliberately broken fixture fails the check, with file:line:column', async () => {
  const file = join(agentsDir, 'fixtures', 'broken-probe.ps1.txt');
  const problems = await checkPowerShellFile(file);
  assert.ok(problems.length > 0, 'the broken script parsed cleanly');
  const first = formatProblem({ ...problems[0]!, file: 'broken-probe.ps1.txt' });
  assert.match(first, /^broken-probe\.ps1\.txt:\d+:\d+: (ERROR|MISSING) /);
  const lines = readFileSync(file, 'utf8').split('\n').length;
  assert.ok(problems.every((p) => p.line >= 1 && p.line <= lines));
  assert.ok(problems.some((p) => p.line === 5), "the unclosed parenthesis on line 5 is reported");
});

test('a single unclosed brace is reported at its place', async () => {
  const problems = await findSyntaxProblems('# probe: x\nparam()\nif ($true) {\n  1\n', 'x.ps1');
  assert.ok(problems.length > 0);
  assert.ok(problems.some((p) => p.kind === 'MISSING' || p.line >= 3));
});

test('each probe file exists, names itself in its first line, and has the param block PROBES declares', async () => {
  const files = readdirSync(WINDOWS_PROBE_DIR).filter((f) => f.endsWith('.ps1')).sort();
  assert.deepEqual(files, PROBE_NAMES.map((n) => PROBES[n].file).sort());
  for (const name of PROBE_NAMES) {
    const { script } = loadProbe(name);
    assert.equal(probeHeaderName(script), name);
    const declared = await readParamBlock(script);
    const expected = PROBES[name].params.map(({ name: n, type, required }) => ({ name: n, type, required }));
    assert.deepEqual(declared, expected, `param block of ${PROBES[name].file}`);
  }
});

test('the param check sees a wrong type and a missing Mandatory', async () => {
  const params = await readParamBlock("# probe: x\nparam([Parameter(Mandatory = $true)][string]$A, [int[]]$B, [string]$C)\n'x'\n");
  assert.deepEqual(params, [
    { name: 'A', type: 'string', required: true },
    { name: 'B', type: '[int[]]', required: false },
    { name: 'C', type: 'string', required: false },
  ]);
});

// OpenSSH on Windows runs an exec request through its default shell; cmd.exe accepts at most 8191 characters.
test('every probe command with realistic arguments fits the 8191-character cmd.exe limit', () => {
  const realistic: Record<string, string | string[] | number> = {
    Path: 'HKLM:\\SOFTWARE\\Microsoft\\Provisioning\\OMADM\\Accounts\\0F3B1C2D-1111-2222-3333-444455556666\\Protected',
    Name: 'ServerLastSuccessTime',
    Paths: ['HKLM:\\SOFTWARE\\Microsoft\\Enrollments\\0F3B1C2D-1111-2222-3333-444455556666', 'HKLM:\\SOFTWARE\\Microsoft\\Provisioning\\OMADM\\Accounts\\0F3B1C2D-1111-2222-3333-444455556666'],
    TaskPath: '\\Microsoft\\Windows\\EnterpriseMgmt\\0F3B1C2D-1111-2222-3333-444455556666\\',
    StorePath: 'Cert:\\LocalMachine\\My',
    LogName: 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin',
    Since: '2026-11-28T17:00:00.000Z',
    Ids: ['72', '75', '76', '201', '208', '209'],
    ProviderName: 'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider',
    MaxEvents: 500,
    EnrollmentId: '0F3B1C2D-1111-2222-3333-444455556666',
    TimeoutSeconds: 300,
    DiscoveryUrl: 'https://mdm.lab.example:8443/EnrollmentServer/Discovery.svc',
    User: 'conformance@lab.example',
    Password: 'correct horse battery',
    // A 2048-bit RSA CA certificate as one base64 line is about 1100-1300 characters.
    Certificate: 'M'.repeat(1300),
  };
  for (const name of PROBE_NAMES) {
    const args = Object.fromEntries(PROBES[name].params.map((p) => [p.name, realistic[p.name]!]));
    const length = encodeProbeCommand(loadProbe(name), args).length;
    assert.ok(length <= 8191, `${name}: ${length} characters`);
  }
});
