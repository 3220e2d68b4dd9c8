import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { loadCatalog } from '../csp/catalog.js';
import { buildSyncML, parseSyncML } from '../syncml/index.js';
import { dmclient, rawCommand } from './dmclient-builders.js';
import { assignCmdIds, atomic, type CommandDraft } from './dmclient-command-draft.js';

const dm = dmclient({ scope: 'Device', providerId: 'DMCTest' });
const POLL = './Vendor/MSFT/DMClient/Provider/DMCTest/Poll';

describe('DMClient builders: LocURIs and encodings from the catalogue', () => {
  test('Replace of an int node: Windows device LocURI, Meta.Format int, decimal Data', () => {
    assert.deepEqual(dm.node('Provider/{ProviderID}/Poll/NumberOfFirstRetries').replace(5), {
      kind: 'Replace',
      Item: [{ Target: { LocURI: `${POLL}/NumberOfFirstRetries` }, Meta: { Format: 'int' }, Data: '5' }],
    });
  });

  test('bool and chr values', () => {
    assert.deepEqual(dm.node('Provider/{ProviderID}/Poll/PollOnLogin').add(true).Item[0], {
      Target: { LocURI: `${POLL}/PollOnLogin` },
      Meta: { Format: 'bool' },
      Data: 'true',
    });
    assert.equal(dm.node('Provider/{ProviderID}/RequireMessageSigning').replace(false).Item[0]?.Data, 'false');
    assert.deepEqual(dm.node('Provider/{ProviderID}/HelpPhoneNumber').replace('+1 555 0100 <ext 2>').Item[0], {
      Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCTest/HelpPhoneNumber' },
      Meta: { Format: 'chr' },
      Data: '+1 555 0100 <ext 2>',
    });
  });

  test('Get and Delete carry neither Meta nor Data; Add of an interior node carries Meta.Format node', () => {
    assert.deepEqual(dm.node('Provider/{ProviderID}/MaxSyncApplicationVersion').get(), {
      kind: 'Get',
      Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCTest/MaxSyncApplicationVersion' } }],
    });
    assert.deepEqual(dm.node('Provider/{ProviderID}/Poll/NumberOfFirstRetries').delete().Item, [
      { Target: { LocURI: `${POLL}/NumberOfFirstRetries` } },
    ]);
    assert.deepEqual(dm.node('Provider/{ProviderID}/Poll').add().Item, [{ Target: { LocURI: POLL }, Meta: { Format: 'node' } }]);
    assert.equal(dm.node('').get().Item[0]?.Target?.LocURI, './Vendor/MSFT/DMClient');
  });

  test('Exec: InitiateRecovery takes an int; Unenroll takes no value or chr data', () => {
    assert.deepEqual(dm.node('Provider/{ProviderID}/Recovery/InitiateRecovery').exec(1).Item[0], {
      Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCTest/Recovery/InitiateRecovery' },
      Meta: { Format: 'int' },
      Data: '1',
    });
    assert.deepEqual(dm.node('Provider/{ProviderID}/Unenroll').exec('DMCTest').Item[0], {
      Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCTest/Unenroll' },
      Meta: { Format: 'chr' },
      Data: 'DMCTest',
    });
    assert.deepEqual(dm.node('Provider/{ProviderID}/LinkedEnrollment/Enroll').exec().Item[0], {
      Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCTest/LinkedEnrollment/Enroll' },
    });
  });

  test('user scope and the explicit ./Device root', () => {
    const user = dmclient({ scope: 'User', providerId: 'DMCTest' });
    assert.equal(
      user.node('Provider/{ProviderID}/FirstSyncStatus/IsSyncDone').replace(true).Item[0]?.Target?.LocURI,
      './User/Vendor/MSFT/DMClient/Provider/DMCTest/FirstSyncStatus/IsSyncDone',
    );
    const explicit = dmclient({ scope: 'Device', providerId: 'P', explicitDeviceRoot: true });
    assert.equal(explicit.node('HWDevID').locUri, './Device/Vendor/MSFT/DMClient/HWDevID');
  });

  test('every LocURI a builder makes matches back to the node it came from', () => {
    const catalog = loadCatalog();
    for (const scope of ['Device', 'User'] as const) {
      const builder = dmclient({ scope, providerId: 'X1' });
      for (const node of catalog.nodes.filter((n) => n.scope === scope)) {
        const built = builder.node(node.relativePath as never) as { locUri: string };
        assert.equal(catalog.matchLocUri(built.locUri)?.node, node, built.locUri);
      }
    }
  });

  test('decode reads Results data by the node format', () => {
    assert.equal(dm.node('Provider/{ProviderID}/Poll/NumberOfFirstRetries').decode('10'), 10);
    assert.equal(dm.node('Provider/{ProviderID}/ConfigLock/SecureCore').decode('True'), true);
    assert.deepEqual(dm.node('Provider').decode('MDM1/DMCTest'), ['MDM1', 'DMCTest']);
    assert.throws(() => dm.node('Provider/{ProviderID}/Poll/NumberOfFirstRetries').decode('ten'), {
      code: 'DMC_ERR_CSP_UNDECODABLE_VALUE',
      message: `The data "ten" received for ${POLL}/NumberOfFirstRetries is not a valid int value`,
    });
  });

  test('drafts get CmdIDs when sent, and go through the SyncML codec', () => {
    const drafts: CommandDraft[] = [
      dm.node('Provider/{ProviderID}/Poll/NumberOfFirstRetries').get(),
      atomic(dm.node('Provider/{ProviderID}/Poll/NumberOfFirstRetries').replace(3), dm.node('Provider/{ProviderID}/Poll/PollOnLogin').replace(true)),
    ];
    let n = 0;
    const commands = assignCmdIds(drafts, () => String(++n));
    assert.deepEqual(commands.map((c) => [c.kind, c.CmdID]), [['Get', '1'], ['Atomic', '2']]);
    assert.deepEqual(commands[1]?.kind === 'Atomic' && commands[1].commands.map((c) => c.CmdID), ['3', '4']);
    assert.equal('CmdID' in (drafts[0] as object), false, 'drafts stay unnumbered');
    const text = buildSyncML({
      SyncHdr: { VerDTD: '1.2', VerProto: 'DM/1.2', SessionID: '1', MsgID: '1', Target: { LocURI: 'dev' }, Source: { LocURI: 'srv' } },
      SyncBody: { commands, Final: true },
    });
    assert.deepEqual(parseSyncML(text).SyncBody.commands, commands);
  });
});

describe('DMClient builders: refusals', () => {
  const retries = dm.node('Provider/{ProviderID}/Poll/NumberOfFirstRetries');

  test('a value of the wrong type', () => {
    // @ts-expect-error an int node takes a number
    assert.throws(() => retries.replace('5'), {
      code: 'DMC_ERR_CSP_VALUE_TYPE',
      message: `The node ${POLL}/NumberOfFirstRetries has format int and takes a decimal integer from -2147483648 to 2147483647, but received "5" (string)`,
    });
    assert.throws(() => retries.replace(2.5), {
      message: `The node ${POLL}/NumberOfFirstRetries has format int and takes a decimal integer from -2147483648 to 2147483647, but received "2.5" (number)`,
    });
    // @ts-expect-error a bool node takes a boolean
    assert.throws(() => dm.node('Provider/{ProviderID}/Poll/PollOnLogin').replace(1), {
      message: `The node ${POLL}/PollOnLogin has format bool and takes a boolean, but received "1" (number)`,
    });
  });

  test('a value outside the DDF allowed values', () => {
    assert.throws(() => dm.node('Provider/{ProviderID}/FirstSyncStatus/TimeOutUntilSyncFailure').replace(1441), {
      code: 'DMC_ERR_CSP_VALUE_NOT_ALLOWED',
      message:
        'The value "1441" is not allowed for ./Vendor/MSFT/DMClient/Provider/DMCTest/FirstSyncStatus/TimeOutUntilSyncFailure: the DDF range is [1-1440]; use .unchecked to send it on purpose',
    });
    assert.throws(() => dm.node('Provider/{ProviderID}/Recovery/InitiateRecovery').exec(2), {
      message:
        'The value "2" is not allowed for ./Vendor/MSFT/DMClient/Provider/DMCTest/Recovery/InitiateRecovery: the DDF allows only 0, 1; use .unchecked to send it on purpose',
    });
    assert.throws(() => dm.node('Provider/{ProviderID}/SyncApplicationVersion').replace('2.0.1'), {
      message:
        'The value "2.0.1" is not allowed for ./Vendor/MSFT/DMClient/Provider/DMCTest/SyncApplicationVersion: it does not match the DDF pattern ^(\\d\\.)?(\\d)$; use .unchecked to send it on purpose',
    });
    const block = dm.node('Provider/{ProviderID}/FirstSyncStatus/BlockInStatusPage');
    assert.equal(block.replace(6).Item[0]?.Data, '6', '0x2 | 0x4 is a valid flag combination');
    assert.throws(() => block.replace(8), { message: /the DDF allows any combination of the flags 0x0, 0x1, 0x2, 0x4;/ });
  });

  test('an operation the DDF does not allow', () => {
    const max = dm.node('Provider/{ProviderID}/MaxSyncApplicationVersion');
    // @ts-expect-error MaxSyncApplicationVersion is Get only
    assert.throws(() => max.replace('2.0'), {
      code: 'DMC_ERR_CSP_OPERATION_NOT_ALLOWED',
      message:
        'The DDF does not allow Replace on ./Vendor/MSFT/DMClient/Provider/DMCTest/MaxSyncApplicationVersion (its access types: Get); use .unchecked to send it on purpose',
    });
    // @ts-expect-error InitiateRecovery is Exec only
    assert.throws(() => dm.node('Provider/{ProviderID}/Recovery/InitiateRecovery').get(), { code: 'DMC_ERR_CSP_OPERATION_NOT_ALLOWED' });
  });

  test('a path not in the catalogue', () => {
    // @ts-expect-error not a DMClient node
    assert.throws(() => dm.node('Provider/{ProviderID}/Poll/Nope'), {
      code: 'DMC_ERR_CSP_UNKNOWN_NODE',
      message: 'No DMClient catalogue node has the path "Provider/{ProviderID}/Poll/Nope" in the Device tree',
    });
    // @ts-expect-error Poll exists in the device tree only
    assert.throws(() => dmclient({ scope: 'User', providerId: 'P' }).node('Provider/{ProviderID}/Poll'), {
      message: 'No DMClient catalogue node has the path "Provider/{ProviderID}/Poll" in the User tree',
    });
  });

  test('an unfilled or unusable dynamic segment', () => {
    assert.throws(() => dmclient({ scope: 'Device' }).node('Provider/{ProviderID}/Poll'), {
      code: 'DMC_ERR_CSP_UNFILLED_SEGMENT',
      message: 'The path "Provider/{ProviderID}/Poll" has the dynamic segment {ProviderID} but no value was given for it (set providerId)',
    });
    assert.throws(() => dmclient({ scope: 'Device', providerId: 'a/b' }).node('Provider/{ProviderID}'), {
      code: 'DMC_ERR_CSP_BAD_SEGMENT',
      message: 'The value "a/b" for the dynamic segment {ProviderID} cannot stand in a LocURI: it contains "/"',
    });
    assert.throws(() => dmclient({ scope: 'Device', providerId: '..' }).node('Provider/{ProviderID}/Poll/NumberOfFirstRetries'), {
      code: 'DMC_ERR_CSP_BAD_SEGMENT',
      message: 'The value ".." for the dynamic segment {ProviderID} cannot stand in a LocURI: it is a relative path segment',
    });
    assert.throws(() => dmclient({ scope: 'Device', providerId: 'a b\u0000' }).node('Provider/{ProviderID}'), {
      code: 'DMC_ERR_CSP_BAD_SEGMENT',
      message: 'The value "a b\\u0000" for the dynamic segment {ProviderID} cannot stand in a LocURI: it contains "\\u0000"',
    });
    // A space is a ProviderID character (Intune's is "MS DM Server").
    assert.equal(dmclient({ scope: 'Device', providerId: 'MS DM Server' }).node('Provider/{ProviderID}').locUri, './Vendor/MSFT/DMClient/Provider/MS DM Server');
    assert.equal(dmclient({ scope: 'Device' }).node('Provider').locUri, './Vendor/MSFT/DMClient/Provider');
  });
});

describe('DMClient builders: deliberate violations for negative tests', () => {
  test('.unchecked sends Replace to a Get-only node with the DDF format', () => {
    assert.deepEqual(dm.node('Provider/{ProviderID}/MaxSyncApplicationVersion').unchecked.replace('9.9'), {
      kind: 'Replace',
      Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCTest/MaxSyncApplicationVersion' }, Meta: { Format: 'chr' }, Data: '9.9' }],
    });
  });

  test('.unchecked sends a wrong format, a value out of range, or no Meta at all', () => {
    const retries = dm.node('Provider/{ProviderID}/Poll/NumberOfFirstRetries');
    assert.deepEqual(retries.unchecked.replace('five', { meta: { Format: 'chr' } }).Item[0], {
      Target: { LocURI: `${POLL}/NumberOfFirstRetries` },
      Meta: { Format: 'chr' },
      Data: 'five',
    });
    assert.deepEqual(retries.unchecked.add('7', { meta: {} }).Item[0], { Target: { LocURI: `${POLL}/NumberOfFirstRetries` }, Data: '7' });
    assert.equal(dm.node('Provider/{ProviderID}/FirstSyncStatus/TimeOutUntilSyncFailure').unchecked.replace('0').Item[0]?.Data, '0');
    assert.deepEqual(dm.node('Provider/{ProviderID}/Recovery/InitiateRecovery').unchecked.get().kind, 'Get');
  });

  test('rawCommand sends any LocURI', () => {
    assert.deepEqual(rawCommand({ kind: 'Get', locUri: './Vendor/MSFT/DMClient/Provider/DMCTest/NoSuchNode' }), {
      kind: 'Get',
      Item: [{ Target: { LocURI: './Vendor/MSFT/DMClient/Provider/DMCTest/NoSuchNode' } }],
    });
  });
});
