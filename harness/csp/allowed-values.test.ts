import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { allowedValueProblem } from './allowed-values.js';
import { loadCatalog } from './catalog.js';

const P = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}';
const node = (path: string) => loadCatalog().node(`${P}/${path}`);

test('ranges include both ends and refuse text that is no integer', () => {
  const cadence = node('ConfigRefresh/Cadence');
  assert.equal(allowedValueProblem(cadence, '30'), undefined);
  assert.equal(allowedValueProblem(cadence, '1440'), undefined);
  assert.equal(allowedValueProblem(cadence, '29'), 'the DDF range is [30-1440]');
  assert.equal(allowedValueProblem(cadence, '1e2'), 'the DDF range is [30-1440]');
});

test('flags accept any OR of the listed bits and nothing else', () => {
  const block = node('FirstSyncStatus/BlockInStatusPage');
  for (const ok of ['0', '1', '2', '4', '3', '7']) assert.equal(allowedValueProblem(block, ok), undefined, ok);
  for (const bad of ['8', '15', '-1', '0x1']) {
    assert.equal(allowedValueProblem(block, bad), 'the DDF allows any combination of the flags 0x0, 0x1, 0x2, 0x4', bad);
  }
});

test('enumerations compare the text exactly; nodes without AllowedValues take anything', () => {
  assert.equal(allowedValueProblem(node('ConfigLock/Lock'), '1'), undefined);
  assert.equal(allowedValueProblem(node('ConfigLock/Lock'), '01'), 'the DDF allows only 0, 1');
  assert.equal(allowedValueProblem(node('Poll/NumberOfFirstRetries'), '-5'), undefined);
});
