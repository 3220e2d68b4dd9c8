/** The named Status and Alert codes the harness and its suites compare against what devices send. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertCode, StatusCode } from './index.js';

test('every status code Windows documents has a name, and names map to distinct codes', () => {
  const required = ['200', '202', '212', '214', '215', '216', '400', '401', '403', '404', '405', '406', '407', '415', '418', '425', '500', '507', '516'];
  const values: string[] = Object.values(StatusCode);
  for (const code of required) assert.ok(values.includes(code), `StatusCode has no name for ${code}`);
  assert.equal(new Set(values).size, values.length);
  assert.equal(StatusCode.ATOMIC_FAILED, '507');
  assert.equal(StatusCode.COMMAND_FAILED, '500');
});

test('the session alerts have names: 1200, 1201, 1222, 1223, 1224, 1226', () => {
  const values: string[] = Object.values(AlertCode);
  for (const code of ['1200', '1201', '1222', '1223', '1224', '1226']) assert.ok(values.includes(code), `AlertCode has no name for ${code}`);
  assert.equal(new Set(values).size, values.length);
  assert.equal(AlertCode.CLIENT_INITIATED_MGMT, '1201');
  assert.equal(AlertCode.GENERIC_ALERT, '1226');
});
