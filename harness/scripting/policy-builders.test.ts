import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { buildSyncML, parseSyncML } from '../syncml/index.js';
import { assignCmdIds } from './dmclient-command-draft.js';
import { policyCsp, policyRegistryLocation } from './policy-builders.js';

const WDSC = './Vendor/MSFT/Policy/Config/WindowsDefenderSecurityCenter';

describe('Policy CSP builders', () => {
  test('chr, int and bool settings of any area: LocURI, Meta.Format and Data from the typed codec', () => {
    const company = policyCsp({ area: 'WindowsDefenderSecurityCenter', policy: 'CompanyName', format: 'chr' });
    assert.deepEqual(company.replace('Contoso <IT> & Co'), {
      kind: 'Replace',
      Item: [{ Target: { LocURI: `${WDSC}/CompanyName` }, Meta: { Format: 'chr' }, Data: 'Contoso <IT> & Co' }],
    });
    assert.deepEqual(policyCsp({ area: 'DmaGuard', policy: 'DeviceEnumerationPolicy', format: 'int' }).add(2).Item[0], {
      Target: { LocURI: './Vendor/MSFT/Policy/Config/DmaGuard/DeviceEnumerationPolicy' },
      Meta: { Format: 'int' },
      Data: '2',
    });
    assert.equal(policyCsp({ area: 'Browser', policy: 'AllowDoNotTrack', format: 'bool' }).replace(true).Item[0]?.Data, 'true');
    assert.deepEqual(company.get(), { kind: 'Get', Item: [{ Target: { LocURI: `${WDSC}/CompanyName` } }] });
    assert.deepEqual(company.delete(), { kind: 'Delete', Item: [{ Target: { LocURI: `${WDSC}/CompanyName` } }] });
    assert.equal(company.decode('Contoso'), 'Contoso');
    assert.equal(policyCsp({ area: 'DmaGuard', policy: 'DeviceEnumerationPolicy', format: 'int' }).decode(' 1 '), 1);
  });

  test('user tree, explicit device root and ingested-ADMX area names', () => {
    assert.equal(policyCsp({ area: 'Start', policy: 'HideRecentJumplists', format: 'int', scope: 'User' }).locUri, './User/Vendor/MSFT/Policy/Config/Start/HideRecentJumplists');
    assert.equal(policyCsp({ area: 'DmaGuard', policy: 'X', format: 'int', explicitDeviceRoot: true }).locUri, './Device/Vendor/MSFT/Policy/Config/DmaGuard/X');
    assert.equal(policyCsp({ area: 'ContosoApp~Policy~Category1', policy: 'L_Setting.v2', format: 'chr' }).locUri, './Vendor/MSFT/Policy/Config/ContosoApp~Policy~Category1/L_Setting.v2');
  });

  test('the drafts survive the SyncML codec: what is built is what goes on the wire', () => {
    const p = policyCsp({ area: 'WindowsDefenderSecurityCenter', policy: 'CompanyName', format: 'chr' });
    let id = 0;
    const commands = assignCmdIds([p.replace('a</Data><Data>b'), p.get()], () => String(++id));
    const text = buildSyncML({
      SyncHdr: { VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '1', MsgID: '1', Target: { LocURI: 'dev' }, Source: { LocURI: 'srv' } },
      SyncBody: { commands, Final: true },
    });
    assert.ok(text.includes('a&lt;/Data&gt;&lt;Data&gt;b'), 'chr data is escaped by the codec');
    assert.deepEqual(parseSyncML(text).SyncBody.commands, commands);
  });

  test('bad Area and Policy names are refused with the name and the reason', () => {
    assert.throws(() => policyCsp({ area: 'WindowsDefender/SecurityCenter', policy: 'CompanyName', format: 'chr' }), {
      code: 'DMC_ERR_SCRIPTING_BAD_POLICY_NAME',
      message: 'The Policy CSP Area name "WindowsDefender/SecurityCenter" cannot stand in ./Vendor/MSFT/Policy/Config/<Area>/<Policy>: it contains "/" (allowed: letters, digits, "_", "~", "." and "-")',
    });
    assert.throws(() => policyCsp({ area: 'DmaGuard', policy: '', format: 'int' }), {
      code: 'DMC_ERR_SCRIPTING_BAD_POLICY_NAME',
      message: 'The Policy CSP Policy name "" cannot stand in ./Vendor/MSFT/Policy/Config/<Area>/<Policy>: it is empty',
    });
    for (const policy of ['Company Name', 'a?b', '..', 'x#']) {
      assert.throws(() => policyCsp({ area: 'DmaGuard', policy, format: 'int' }), { code: 'DMC_ERR_SCRIPTING_BAD_POLICY_NAME' }, policy);
    }
    // @ts-expect-error a name must be a string
    assert.throws(() => policyCsp({ area: 7, policy: 'X', format: 'int' }), /Area name "7" .*it must be a string, received number/);
  });

  test('a value of the wrong type, or an undeclared format, is refused; .unchecked sends it on purpose', () => {
    const p = policyCsp({ area: 'DmaGuard', policy: 'DeviceEnumerationPolicy', format: 'int' });
    // @ts-expect-error an int policy takes a number
    assert.throws(() => p.replace('1'), {
      code: 'DMC_ERR_SCRIPTING_POLICY_VALUE',
      message:
        'The policy ./Vendor/MSFT/Policy/Config/DmaGuard/DeviceEnumerationPolicy was declared with format int and takes an integer from ' +
        '-2147483648 to 2147483647, but received "1" (string); use .unchecked to send other data on purpose',
    });
    assert.throws(() => p.add(2 ** 31), { code: 'DMC_ERR_SCRIPTING_POLICY_VALUE' });
    // @ts-expect-error b64 is not a Policy CSP value format here
    assert.throws(() => policyCsp({ area: 'A', policy: 'B', format: 'b64' }), /declared with format b64/);
    assert.deepEqual(p.unchecked.replace('one', { meta: { Format: 'chr' } }).Item[0], {
      Target: { LocURI: './Vendor/MSFT/Policy/Config/DmaGuard/DeviceEnumerationPolicy' },
      Meta: { Format: 'chr' },
      Data: 'one',
    });
    assert.deepEqual(p.unchecked.add('x', { meta: {} }).Item[0], { Target: { LocURI: p.locUri }, Data: 'x' });
  });

  test('registry location of a device policy: PolicyManager current and the enrollment as provider', () => {
    const id = '0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0';
    assert.deepEqual(policyRegistryLocation('WindowsDefenderSecurityCenter', 'CompanyName', id), {
      current: { path: 'HKLM:\\SOFTWARE\\Microsoft\\PolicyManager\\current\\device\\WindowsDefenderSecurityCenter', name: 'CompanyName' },
      provider: { path: `HKLM:\\SOFTWARE\\Microsoft\\PolicyManager\\providers\\${id}\\default\\Device\\WindowsDefenderSecurityCenter`, name: 'CompanyName' },
    });
    assert.throws(() => policyRegistryLocation('WindowsDefenderSecurityCenter', 'CompanyName', 'not-a-guid'), {
      code: 'DMC_ERR_SCRIPTING_BAD_POLICY_NAME',
      message: 'The enrollment ID "not-a-guid" cannot name a PolicyManager provider key: it must be a GUID',
    });
    assert.throws(() => policyRegistryLocation('Area\\Sub', 'X', id), /it contains "\\\\"/);
  });
});
