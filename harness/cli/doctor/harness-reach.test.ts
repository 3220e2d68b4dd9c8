/**
 * The inventory side of "harness URL reachable": the URL a device is sent to follows the server's own rule
 * (IPv6 literals bracketed, publicHost first), and the mistakes visible without asking the device are named.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HarnessSettings, Target } from '../../../fixtures/targets/inventory.js';
import { harnessBaseUrl, harnessUrlProblem } from './harness-reach.js';

const harness = (extra: Partial<HarnessSettings>): HarnessSettings =>
  ({ host: '127.0.0.1', port: 8443, user: 'dmc', passwordEnv: 'DMC_PASSWORD', providerId: 'DMCHarness', ...extra }) as HarnessSettings;
const pc = (extra: Record<string, unknown> = {}): Target =>
  ({ kind: 'ssh', name: 'pc', host: '10.0.0.7', port: 22, user: 'admin', auth: { agent: true }, connectTimeoutMs: 10_000, ...extra }) as Target;

describe('harness URL from the inventory', () => {
  it('uses publicHost, brackets an IPv6 literal, and lets the target override it', () => {
    assert.equal(harnessBaseUrl(pc(), harness({ host: '0.0.0.0', publicHost: 'mdm.lab.example' })), 'https://mdm.lab.example:8443');
    assert.equal(harnessBaseUrl(pc(), harness({ host: '::', publicHost: 'fd00::5' })), 'https://[fd00::5]:8443');
    assert.equal(harnessBaseUrl(pc({ harnessUrl: 'https://gw.lab:9443' }), harness({ publicHost: 'mdm.lab' })), 'https://gw.lab:9443');
    assert.equal(harnessUrlProblem(pc(), harness({ host: '::', publicHost: 'fd00::5' })), undefined);
  });

  it('names a wildcard address without publicHost, and a loopback address a remote PC cannot reach', () => {
    assert.equal(harnessUrlProblem(pc(), harness({ host: '0.0.0.0' }))?.detail, 'harness.host is 0.0.0.0 and no publicHost names the server for devices');
    assert.equal(harnessUrlProblem(pc(), harness({}))?.detail, 'https://127.0.0.1:8443: a loopback address, which the device at 10.0.0.7 cannot reach');
    assert.equal(harnessUrlProblem(pc({ host: '127.0.0.1' }), harness({})), undefined);
  });
});
