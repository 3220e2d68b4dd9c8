import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactHeaders, redactText } from './redact.js';

describe('transcript redaction', () => {
  it('hides the UsernameToken password whatever its prefix', () => {
    const soap = '<wsse:Password wsse:Type="...#PasswordText">hunter2</wsse:Password><o:Password>x&amp;y</o:Password>';
    assert.equal(redactText(soap), '<wsse:Password wsse:Type="...#PasswordText">[redacted]</wsse:Password><o:Password>[redacted]</o:Password>');
  });

  it('hides SyncHdr Cred data but keeps its Meta and other Data', () => {
    const syncml = '<Cred><Meta><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta><Data>gEgHLp7F38Ct3OVR5T2f7A==</Data></Cred><Item><Data>keep</Data></Item>';
    assert.equal(
      redactText(syncml),
      '<Cred><Meta><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta><Data>[redacted]</Data></Cred><Item><Data>keep</Data></Item>',
    );
  });

  it('hides AAUTHSECRET in a provisioning document, also inside the base64 BinarySecurityToken', () => {
    const doc = '<wap-provisioningdoc><parm name="AAUTHSECRET" value="s3cr3t"/><parm name="AAUTHDATA" value="bm9uY2U="/></wap-provisioningdoc>';
    assert.equal(redactText(doc), doc.replace('s3cr3t', '[redacted]'));
    const token = `<BinarySecurityToken ValueType="http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc">${Buffer.from(doc).toString('base64')}</BinarySecurityToken>`;
    const redacted = redactText(token);
    const inner = Buffer.from(/>([^<]+)</.exec(redacted)![1]!, 'base64').toString('utf8');
    assert.equal(inner, doc.replace('s3cr3t', '[redacted]'));
  });

  it('hides PEM private keys and credential headers', () => {
    const pem = 'a\n-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\nb';
    assert.equal(redactText(pem), 'a\n-----BEGIN RSA PRIVATE KEY-----[redacted]-----END RSA PRIVATE KEY-----\nb');
    assert.deepEqual(redactHeaders({ Authorization: 'Basic eDp5', 'content-type': 'x' }), { Authorization: '[redacted]', 'content-type': 'x' });
  });

  it('hides a password whose closing tag is mangled, and a known secret wherever it appears', () => {
    assert.equal(redactText('<wsse:Password wsse:Type="x">hunter2</wsse:Tassword>'), '<wsse:Password wsse:Type="x">[redacted]</wsse:Tassword>');
    assert.equal(
      redactText("Attribute 'x>hunter2</wsse:Password' has no space", ['hunter2']),
      "Attribute 'x>[redacted]</wsse:Password' has no space",
    );
  });
});
