import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildProvisioningDoc, clientCertSearchCriteria, DEFAULT_POLL } from './provisioning-doc.js';

const input = {
  ca: { thumbprint: 'A'.repeat(40), derBase64: 'Q0E=' },
  device: { thumbprint: 'B'.repeat(40), derBase64: 'REVW' },
  deviceSubject: 'CN=DEV1',
  providerId: 'Prov"<&>',
  serverName: 'Harness',
  managementUrl: 'https://h:1/ManagementServer/MDM.svc',
  clientDigest: { name: 'DEV1', secret: 'c"s', nonce: 'bg==' },
  serverDigest: { name: 'Prov', secret: 's', nonce: 'bg==' },
  poll: DEFAULT_POLL,
  initialSettings: [{ name: 'EntDeviceName', value: 'Lab & Co', datatype: 'string' as const }],
};

describe('wap-provisioningdoc', () => {
  it('puts a device enrollment certificate in My/System and escapes every value', () => {
    const doc = buildProvisioningDoc({ ...input, enrollmentType: 'Device' });
    assert.ok(doc.includes('<characteristic type="My"><characteristic type="System"><characteristic type="BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB">'));
    assert.ok(doc.includes('<parm name="PROVIDER-ID" value="Prov&quot;&lt;&amp;&gt;"/>'));
    assert.ok(doc.includes('<parm name="AAUTHSECRET" value="c&quot;s"/>'));
    assert.ok(doc.includes('<parm name="EntDeviceName" value="Lab &amp; Co" datatype="string"/>'));
    assert.ok(doc.includes('<parm name="BACKCOMPATRETRYDISABLED"/>'));
  });

  it('URL-encodes the SSLCLIENTCERTSEARCHCRITERIA subject and store', () => {
    assert.equal(clientCertSearchCriteria('CN=DEV1', 'Full'), 'Subject=CN%3DDEV1&Stores=My%5CUser');
    assert.equal(clientCertSearchCriteria('CN=DEV1', 'Device'), 'Subject=CN%3DDEV1&Stores=My%5CSystem');
  });
});
