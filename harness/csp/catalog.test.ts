import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DEFAULT_DDF_FILE, loadCatalog } from './catalog.js';

const DEV = './Device/Vendor/MSFT/DMClient';
const ddfText = readFileSync(DEFAULT_DDF_FILE, 'utf8');

describe('catalogue of the DMClient DDF', () => {
  const catalog = loadCatalog();

  test('holds one node per <Node> element of the DDF: 109, 94 device and 15 user', () => {
    assert.equal(ddfText.match(/<Node>/g)?.length, 109);
    assert.equal(catalog.nodes.length, 109);
    assert.equal(catalog.nodes.filter((n) => n.scope === 'Device').length, 94);
    assert.equal(catalog.nodes.filter((n) => n.scope === 'User').length, 15);
  });

  test('every node has a unique path, and parent and children agree', () => {
    assert.equal(new Set(catalog.nodes.map((n) => n.path)).size, 109);
    for (const node of catalog.nodes) {
      for (const child of catalog.children(node)) assert.equal(child.parent, node.path);
      if (node.parent !== undefined) assert.ok(catalog.node(node.parent).children.includes(node.path), node.path);
      assert.ok(node.path.startsWith(`./${node.scope}/Vendor/MSFT/DMClient`), node.path);
    }
    assert.deepEqual(catalog.node(`${DEV}/Provider/{ProviderID}/Poll`).children, [
      'IntervalForFirstSetOfRetries', 'NumberOfFirstRetries', 'IntervalForSecondSetOfRetries', 'NumberOfSecondRetries',
      'IntervalForRemainingScheduledRetries', 'NumberOfRemainingScheduledRetries', 'PollOnLogin', 'AllUsersPollOnFirstLogin',
    ].map((name) => `${DEV}/Provider/{ProviderID}/Poll/${name}`));
  });

  test('NumberOfFirstRetries: Add, Delete, Get, Replace; int; no allowed-value restriction', () => {
    const node = catalog.node(`${DEV}/Provider/{ProviderID}/Poll/NumberOfFirstRetries`);
    assert.deepEqual(node.accessTypes, ['Add', 'Delete', 'Get', 'Replace']);
    assert.equal(node.format, 'int');
    assert.equal(node.name, 'NumberOfFirstRetries');
    assert.equal(node.relativePath, 'Provider/{ProviderID}/Poll/NumberOfFirstRetries');
    assert.equal(node.occurrence, 'ZeroOrOne');
    assert.equal(node.ddfScope, 'Dynamic');
    assert.equal(node.defaultValue, undefined);
    assert.deepEqual(node.allowedValues, { kind: 'none' });
    assert.match(node.description ?? '', /^The number of times the DM client should retry to connect/);
  });

  test('MaxSyncApplicationVersion is Get only; the CSP roots and Provider are Get only', () => {
    assert.deepEqual(catalog.node(`${DEV}/Provider/{ProviderID}/MaxSyncApplicationVersion`).accessTypes, ['Get']);
    assert.deepEqual(catalog.node(DEV).accessTypes, ['Get']);
    assert.deepEqual(catalog.node('./User/Vendor/MSFT/DMClient/Provider').accessTypes, ['Get']);
  });

  test('Recovery/InitiateRecovery is Exec only, int, default 0, with its two ENUM values', () => {
    const node = catalog.node(`${DEV}/Provider/{ProviderID}/Recovery/InitiateRecovery`);
    assert.deepEqual(node.accessTypes, ['Exec']);
    assert.equal(node.format, 'int');
    assert.equal(node.defaultValue, '0');
    assert.deepEqual(node.allowedValues, {
      kind: 'enumeration',
      values: [
        { value: '0', description: 'Initiate MDM Recovery' },
        {
          value: '1',
          description:
            'Initiate Recovery if Keys are not already protected by the TPM, there is a TPM to put the keys into, AAD keys are protected by TPM, and the TPM is ready for attestation.',
        },
      ],
    });
  });

  test('ConfigLock applies from OS build 10.0.22000 with CSP version 1.6', () => {
    const a = catalog.node(`${DEV}/Provider/{ProviderID}/ConfigLock`).applicability;
    assert.equal(a?.osBuildVersion, '10.0.22000');
    assert.deepEqual(a?.osBuildVersions, ['10.0.22000']);
    assert.equal(a?.cspVersion, '1.6');
    assert.equal(catalog.node(`${DEV}/Provider/{ProviderID}/ConfigLock/UnlockDuration`).defaultValue, '480');
  });

  test('defaults and ranges read from the DDF text', () => {
    const timeout = catalog.node(`${DEV}/Provider/{ProviderID}/FirstSyncStatus/TimeOutUntilSyncFailure`);
    assert.equal(timeout.defaultValue, '60');
    assert.deepEqual(timeout.allowedValues, { kind: 'range', min: 1, max: 1440, asWritten: '[1-1440]' });
    const cadence = catalog.node(`${DEV}/Provider/{ProviderID}/ConfigRefresh/Cadence`);
    assert.equal(cadence.defaultValue, '90');
    assert.deepEqual(cadence.allowedValues, { kind: 'range', min: 30, max: 1440, asWritten: '[30-1440]' });
    const pause = catalog.node(`${DEV}/Provider/{ProviderID}/ConfigRefresh/PausePeriod`);
    assert.deepEqual([pause.defaultValue, pause.allowedValues], ['0', { kind: 'range', min: 0, max: 1440, asWritten: '[0-1440]' }]);
    const version = catalog.node(`${DEV}/Provider/{ProviderID}/SyncApplicationVersion`);
    assert.equal(version.defaultValue, '1.0');
    assert.deepEqual(version.allowedValues, { kind: 'regex', pattern: '^(\\d\\.)?(\\d)$' });
    assert.equal(catalog.node(`${DEV}/Provider/{ProviderID}/FirstSyncStatus/SkipUserStatusPage`).defaultValue, 'true');
    assert.equal(catalog.nodes.filter((n) => n.defaultValue !== undefined).length, ddfText.match(/<DefaultValue>/g)?.length);
  });

  test('Flag, list and case-sense facts', () => {
    const block = catalog.node(`${DEV}/Provider/{ProviderID}/FirstSyncStatus/BlockInStatusPage`);
    assert.equal(block.allowedValues.kind, 'flags');
    assert.deepEqual(block.allowedValues.kind === 'flags' && block.allowedValues.values.map((v) => v.value), ['0x0', '0x1', '0x2', '0x4']);
    assert.equal(block.caseSense, 'CIS');
    const policies = catalog.node(`${DEV}/Provider/{ProviderID}/FirstSyncStatus/ExpectedPolicies`);
    assert.deepEqual(policies.allowedValues, { kind: 'none', list: { delimiter: '\uF000', delimiterAsWritten: '\\xF000' } });
    const update = catalog.node(`${DEV}/UpdateManagementServiceAddress`);
    assert.deepEqual(update.allowedValues, { kind: 'none', list: { delimiter: ';', delimiterAsWritten: ';' } });
  });

  test('allowed-value kinds and applicability blocks add up to what the DDF text holds', () => {
    const count = (kind: string) => catalog.nodes.filter((n) => n.allowedValues.kind === kind).length;
    const inText = (valueType: string) => ddfText.split(`ValueType="${valueType}"`).length - 1;
    assert.equal(count('enumeration'), inText('ENUM'));
    assert.equal(count('flags'), inText('Flag'));
    assert.equal(count('range'), inText('Range'));
    assert.equal(count('regex'), inText('RegEx'));
    assert.equal(count('none'), 109 - (ddfText.match(/<MSFT:AllowedValues ValueType="(ENUM|Flag|Range|RegEx)"/g)?.length ?? 0));
    assert.equal(catalog.nodes.filter((n) => 'list' in n.allowedValues).length, ddfText.match(/<MSFT:List /g)?.length);
    assert.equal(catalog.nodes.filter((n) => n.applicability !== undefined).length, ddfText.match(/<MSFT:Applicability>/g)?.length);
    const address = catalog.node(`${DEV}/Provider/{ProviderID}/ManagementServiceAddress`);
    assert.deepEqual(address.dependencies, [
      {
        group: 'ManageServerAddressListBlock',
        type: 'Not',
        uri: 'Device/Vendor/MSFT/DMClient/Provider/[ProviderID]/ManagementServerAddressList',
        allowedValueType: 'None',
      },
    ]);
  });

  test('dynamic nodes are named {DFTitle} and carry MSFT:DynamicNodeNaming', () => {
    const dynamic = catalog.nodes.filter((n) => n.dynamic !== undefined);
    assert.deepEqual(dynamic.map((n) => n.path), ['./User/Vendor/MSFT/DMClient/Provider/{ProviderID}', `${DEV}/Provider/{ProviderID}`]);
    for (const node of dynamic) {
      assert.equal(node.name, '{ProviderID}');
      assert.deepEqual(node.dynamic, { title: 'ProviderID', naming: 'ServerGeneratedUniqueIdentifier' });
      assert.deepEqual(node.accessTypes, ['Add', 'Delete', 'Get']);
    }
  });

  test('edition lists keep the DDF text and decode the SKU ids', () => {
    const root = catalog.node(DEV).applicability;
    assert.equal(root?.editionAllowList?.split(';').filter(Boolean).length, 33);
    assert.deepEqual(root?.editions?.slice(0, 3), [
      { sku: '0x4', id: 4, name: 'PRODUCT_ENTERPRISE' },
      { sku: '0x1B', id: 27, name: 'PRODUCT_ENTERPRISE_N' },
      { sku: '0x30', id: 48, name: 'PRODUCT_PROFESSIONAL' },
    ]);
    assert.ok(root?.editions?.every((e) => e.name !== undefined));
    assert.deepEqual(catalog.node(`${DEV}/Provider/{ProviderID}/MultipleSession`).applicability?.editions, [
      { sku: '0xAF', id: 0xaf, name: 'PRODUCT_SERVERRDSH' },
    ]);
  });

  test('the DDF is parsed once: later loads return the same catalogue', () => {
    assert.equal(loadCatalog(), catalog);
    assert.ok(catalog.loadMilliseconds > 0);
    assert.ok(Object.isFrozen(catalog.node(DEV).accessTypes));
  });

  test('unknown paths are refused with the path in the message', () => {
    assert.throws(() => catalog.node(`${DEV}/Provider/{ProviderID}/Poll/NoSuchNode`), {
      code: 'DMC_ERR_CSP_UNKNOWN_NODE',
      message: 'No DMClient catalogue node has the path "./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/Poll/NoSuchNode"',
    });
    assert.throws(() => catalog.relative('User', 'Provider/{ProviderID}/Poll'), {
      message: 'No DMClient catalogue node has the path "Provider/{ProviderID}/Poll" in the User tree',
    });
  });
});

describe('loading a DDF that is broken', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmc-csp-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test('a missing file', () => {
    const file = join(dir, 'absent.xml');
    assert.throws(() => loadCatalog({ file }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'DMC_ERR_CSP_DDF_UNREADABLE');
      assert.match(err.message, /^Cannot read the DDF file .*absent\.xml: ENOENT/);
      return true;
    });
  });

  test('text that is not XML', () => {
    const file = write('bad.xml', '<MgmtTree><Node></MgmtTree>');
    assert.throws(() => loadCatalog({ file }), {
      code: 'DMC_ERR_CSP_DDF_MALFORMED',
      message: `The DDF file ${file} is not XML the catalogue can read: line 1: Expected closing tag 'Node' (opened in line 1, col 11) instead of closing tag 'MgmtTree'.`,
    });
  });

  test('a node without AccessType', () => {
    const file = write('shape.xml', ddfText.replace(/<AccessType>\s*<Get \/>\s*<\/AccessType>/, ''));
    assert.throws(() => loadCatalog({ file }), {
      code: 'DMC_ERR_CSP_DDF_SHAPE',
      message: `The DDF file ${file} does not have the expected shape at MgmtTree/Node[0]/DFProperties/AccessType: Invalid input: expected record, received undefined`,
    });
  });

  test('an unreadable range', () => {
    const file = write('range.xml', ddfText.replace('[1-1440]', '1 to 1440'));
    assert.throws(() => loadCatalog({ file }), {
      code: 'DMC_ERR_CSP_DDF_SHAPE',
      message: `The DDF file ${file} does not have the expected shape at ./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/FirstSyncStatus/TimeOutUntilSyncFailure: the Range allowed value "1 to 1440" is not [min-max]`,
    });
  });

  test('a node defined twice', () => {
    const hw = /<Node>\s*<NodeName>HWDevID<\/NodeName>[\s\S]*?<\/Node>/.exec(ddfText)?.[0] ?? '';
    const file = write('dup.xml', ddfText.replace(hw, hw + hw));
    assert.throws(() => loadCatalog({ file }), {
      code: 'DMC_ERR_CSP_DUPLICATE_PATH',
      message: `The DDF file ${file} defines the node path "./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/HWDevID" more than once`,
    });
  });
});
