import { strict as assert } from 'node:assert';
import { describe, test } from 'node:test';
import { checkApplicability, isApplicable, loadCatalog } from './catalog.js';
import { editionId } from './editions.js';
import { compareBuilds, parseBuild } from './os-build.js';

const P = './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}';

describe('OS builds', () => {
  test('compare numerically, not as text', () => {
    assert.ok(compareBuilds(parseBuild('10.0.9200'), parseBuild('10.0.10240')) < 0);
    assert.ok(compareBuilds(parseBuild('10.0.22631.4317'), parseBuild('10.0.22631.987')) > 0);
    assert.equal(compareBuilds(parseBuild('10.0.22000'), parseBuild('10.0.22000.0')), 0);
  });

  test('refuse text that is no build number', () => {
    assert.throws(() => parseBuild('Windows 11'), {
      code: 'DMC_ERR_CSP_BAD_BUILD',
      message: 'The OS build "Windows 11" is not a Windows build number like "10.0.22631" or "10.0.22631.4317"',
    });
  });
});

describe('applicability of a node to a device', () => {
  const catalog = loadCatalog();
  const configLock = catalog.node(`${P}/ConfigLock/Lock`);

  test('ConfigLock (10.0.22000, inherited by Lock) applies to Windows 11 and not to Windows 10', () => {
    assert.equal(isApplicable(configLock, { build: '10.0.22631' }), true);
    assert.equal(isApplicable(configLock, { build: '10.0.22000' }), true);
    assert.deepEqual(checkApplicability(configLock, { build: '10.0.19045.3803' }), {
      applicable: false,
      reason: `${P}/ConfigLock needs OS build 10.0.22000; the device runs 10.0.19045.3803`,
    });
  });

  test('the whole tree needs 10.0.10240', () => {
    assert.equal(isApplicable(catalog.node(`${P}/Poll/NumberOfFirstRetries`), { build: '10.0.9600' }), false);
    assert.equal(isApplicable(catalog.node(`${P}/Poll/NumberOfFirstRetries`), { build: '10.0.10240' }), true);
  });

  test('servicing backports: Recovery is "10.0.22621, 10.0.22000.1165"', () => {
    const recovery = catalog.node(`${P}/Recovery/InitiateRecovery`);
    assert.equal(isApplicable(recovery, { build: '10.0.22000.1165' }), true);
    assert.equal(isApplicable(recovery, { build: '10.0.22000.1042' }), false);
    assert.equal(isApplicable(recovery, { build: '10.0.22621.1' }), true);
    assert.equal(isApplicable(recovery, { build: '10.0.26100' }), true);
    assert.equal(isApplicable(recovery, { build: '10.0.19045.4000' }), false);
  });

  test('a backport entry covers its enablement-package siblings (19045 rides on 19044, 22631 on 22621)', () => {
    const force = catalog.node(`${P}/ForceAadToken`);
    assert.equal(isApplicable(force, { build: '10.0.19045.1766' }), true);
    assert.equal(isApplicable(force, { build: '10.0.19045.1700' }), false);
    const refresh = catalog.node(`${P}/ConfigRefresh/Cadence`);
    assert.equal(isApplicable(refresh, { build: '10.0.22631.3235' }), true);
    assert.equal(isApplicable(refresh, { build: '10.0.22631.3155' }), false);
    assert.deepEqual(checkApplicability(refresh, { build: '10.0.22631' }), {
      applicable: false,
      reason: `${P}/ConfigRefresh needs OS build 99.9.99999, 10.0.22621.3235, 10.0.22000.2836; the device runs 10.0.22631, below 10.0.22621.3235 on its servicing branch`,
    });
    assert.deepEqual(checkApplicability(refresh, { build: '10.0.26100.1' }), {
      applicable: false,
      reason: `${P}/ConfigRefresh needs OS build 99.9.99999, 10.0.22621.3235, 10.0.22000.2836; the device runs 10.0.26100.1, on a branch none of them covers`,
    });
  });

  test('LinkedEnrollment/DiscoveryEndpoint is marked 99.9.99999: no released build has it', () => {
    assert.equal(isApplicable(catalog.node(`${P}/LinkedEnrollment/DiscoveryEndpoint`), { build: '10.0.26100.2000' }), false);
    assert.equal(isApplicable(catalog.node(`${P}/LinkedEnrollment/Enroll`), { build: '10.0.26100.2000' }), true);
  });

  test('editions: MultipleSession is for Enterprise multi-session (0xAF) only', () => {
    const multi = catalog.node(`${P}/MultipleSession/NumAllowedConcurrentUserSessionForBackgroundSync`);
    assert.equal(isApplicable(multi, { build: '10.0.22631', edition: 0xaf }), true);
    assert.equal(isApplicable(multi, { build: '10.0.22631', edition: 'PRODUCT_SERVERRDSH' }), true);
    assert.equal(isApplicable(multi, { build: '10.0.22631' }), true, 'no edition given: not checked');
    assert.deepEqual(checkApplicability(multi, { build: '10.0.22631', edition: '0x30' }), {
      applicable: false,
      reason: `${P}/MultipleSession is not available on edition 0x30 (PRODUCT_PROFESSIONAL) (MSFT:EditionAllowList 0xAF)`,
    });
    assert.equal(isApplicable(configLock, { build: '10.0.22631', edition: 48 }), true);
    assert.equal(isApplicable(configLock, { build: '10.0.22631', edition: 0x02 }), false, 'PRODUCT_HOME_BASIC is in no DMClient list');
  });

  test('editions given as name, decimal or hex text; unknown ones are refused', () => {
    assert.equal(editionId('PRODUCT_PROFESSIONAL'), 48);
    assert.equal(editionId('0x30'), 48);
    assert.equal(editionId('48'), 48);
    assert.throws(() => editionId('Pro'), {
      code: 'DMC_ERR_CSP_UNKNOWN_EDITION',
      message: 'The edition "Pro" is neither a product SKU number (like 48 or "0x30") nor a known PRODUCT_* name',
    });
  });
});
