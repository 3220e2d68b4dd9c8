import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { loadCatalog } from './catalog.js';

describe('matching a concrete LocURI to its catalogue node', () => {
  const catalog = loadCatalog();

  test('Windows device form ./Vendor/MSFT/... fills the ProviderID segment', () => {
    const m = catalog.matchLocUri('./Vendor/MSFT/DMClient/Provider/MyMDM/Poll/NumberOfFirstRetries');
    assert.equal(m?.node.path, './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/Poll/NumberOfFirstRetries');
    assert.equal(m?.scope, 'Device');
    assert.deepEqual(m?.segments, { ProviderID: 'MyMDM' });
  });

  test('./Device/Vendor/... and the form without ./ name the same node', () => {
    for (const locUri of ['./Device/Vendor/MSFT/DMClient/Provider/X/ConfigLock/Lock', 'Vendor/MSFT/DMClient/Provider/X/ConfigLock/Lock']) {
      assert.equal(catalog.matchLocUri(locUri)?.node.path, './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/ConfigLock/Lock');
    }
  });

  test('user scope ./User/Vendor/... matches the user tree, which lacks device-only nodes', () => {
    const m = catalog.matchLocUri('./User/Vendor/MSFT/DMClient/Provider/MDM1/FirstSyncStatus/IsSyncDone');
    assert.equal(m?.node.path, './User/Vendor/MSFT/DMClient/Provider/{ProviderID}/FirstSyncStatus/IsSyncDone');
    assert.equal(m?.scope, 'User');
    assert.equal(catalog.matchLocUri('./User/Vendor/MSFT/DMClient/Provider/MDM1/Poll'), undefined);
  });

  test('a named child wins over the dynamic sibling; the root and interior nodes match too', () => {
    assert.equal(catalog.matchLocUri('./Vendor/MSFT/DMClient')?.node.path, './Device/Vendor/MSFT/DMClient');
    assert.equal(catalog.matchLocUri('./Vendor/MSFT/DMClient/Unenroll')?.node.path, './Device/Vendor/MSFT/DMClient/Unenroll');
    assert.equal(catalog.matchLocUri('./Vendor/MSFT/DMClient/Provider/Unenroll')?.node.path, './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}');
    assert.deepEqual(catalog.matchLocUri('./Vendor/MSFT/DMClient/Provider/Unenroll')?.segments, { ProviderID: 'Unenroll' });
  });

  test('a ?list=Struct query is ignored for the match', () => {
    assert.equal(catalog.matchLocUri('./Vendor/MSFT/DMClient/Provider/A/Poll?list=Struct')?.node.relativePath, 'Provider/{ProviderID}/Poll');
  });

  test('LocURIs outside DMClient or naming no node are refused with a reason', () => {
    assert.equal(catalog.matchLocUri('./Vendor/MSFT/DMClientX'), undefined);
    assert.throws(() => catalog.resolveLocUri('/Vendor/MSFT/DMClient/Provider'), {
      code: 'DMC_ERR_CSP_NOT_DMCLIENT_LOCURI',
      message:
        'The LocURI "/Vendor/MSFT/DMClient/Provider" does not name a DMClient catalogue node: it is not under ./Vendor/MSFT/DMClient, ./Device/Vendor/MSFT/DMClient or ./User/Vendor/MSFT/DMClient',
    });
    assert.throws(() => catalog.resolveLocUri('./Vendor/MSFT/DMClient/Provider/A/Poll/Nope'), {
      message:
        'The LocURI "./Vendor/MSFT/DMClient/Provider/A/Poll/Nope" does not name a DMClient catalogue node: ./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/Poll has no child "Nope"',
    });
    assert.throws(() => catalog.resolveLocUri('./Vendor/MSFT/DMClient/Provider//Poll'), {
      message: 'The LocURI "./Vendor/MSFT/DMClient/Provider//Poll" does not name a DMClient catalogue node: it has an empty segment',
    });
  });

  test('every catalogue path, filled in, matches back to its own node', () => {
    for (const node of catalog.nodes) {
      const concrete = node.path.replace('{ProviderID}', 'P1');
      assert.equal(catalog.matchLocUri(concrete)?.node, node, concrete);
    }
  });
});
