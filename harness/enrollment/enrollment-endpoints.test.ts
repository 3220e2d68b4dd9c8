import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { readHttpCapture, type CapturedRequest } from './http-capture.js';
import { createEnrollmentTestApp, type EnrollmentTestApp } from './test-app.js';

const capture = (name: string) => readHttpCapture(new URL(`./testdata/${name}`, import.meta.url));
const xml = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false, attributeNamePrefix: '@_' });

async function replay(t: EnrollmentTestApp, request: CapturedRequest, body = request.body) {
  return t.app.inject({
    method: request.method as 'GET' | 'POST',
    url: request.url,
    headers: { ...request.headers, host: 'enroll.test:8443' },
    payload: body,
  });
}

function faultOf(body: string): { code: string; subcode: string; reason: string; relatesTo: string } {
  const env = xml.parse(body).Envelope;
  return {
    code: env.Body.Fault.Code.Value,
    subcode: env.Body.Fault.Code.Subcode.Value,
    reason: env.Body.Fault.Reason.Text['#text'],
    relatesTo: env.Header.RelatesTo,
  };
}

type Characteristic = { '@_type': string; characteristic?: Characteristic | Characteristic[]; parm?: Parm | Parm[] };
type Parm = { '@_name': string; '@_value'?: string };
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const child = (c: Characteristic, type: string) => list(c.characteristic).find((x) => x['@_type'] === type);
const parms = (c: Characteristic) => new Map(list(c.parm).map((p) => [p['@_name'], p['@_value']]));

describe('MS-MDE2 enrollment endpoints replaying a real Windows 10 device', () => {
  let t: EnrollmentTestApp;
  before(async () => {
    t = await createEnrollmentTestApp({ user: 'demio', password: 'demo' });
  });
  after(async () => t.close());

  it('answers the empty discovery GET with 200 and an empty body (capture 01)', async () => {
    const res = await replay(t, await capture('01-discovery-get.http'));
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-length'], '0');
  });

  it('answers Discover with OnPremise and service URLs on the host the device used (capture 02)', async () => {
    const res = await replay(t, await capture('02-discovery-post.http'));
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/soap+xml; charset=utf-8');
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
    const env = xml.parse(res.body).Envelope;
    assert.equal(env.Header.RelatesTo, 'urn:uuid:748132ec-a575-4329-b01b-6171a9cf8478');
    assert.equal(env.Header.Action['#text'], 'http://schemas.microsoft.com/windows/management/2012/01/enrollment/IDiscoveryService/DiscoverResponse');
    assert.deepEqual(env.Body.DiscoverResponse.DiscoverResult, {
      AuthPolicy: 'OnPremise',
      EnrollmentVersion: '4.0',
      EnrollmentPolicyServiceUrl: 'https://enroll.test:8443/EnrollmentServer/Policy.svc',
      EnrollmentServiceUrl: 'https://enroll.test:8443/EnrollmentServer/Enrollment.svc',
    });
  });

  it('answers GetPolicies with a 2048-bit, SHA-256 policy (capture 03)', async () => {
    const res = await replay(t, await capture('03-policy-post.http'));
    assert.equal(res.statusCode, 200);
    const env = xml.parse(res.body).Envelope;
    assert.equal(env.Header.RelatesTo, 'urn:uuid:72048B64-0F19-448F-8C2E-B4C661860AA0');
    const response = env.Body.GetPoliciesResponse;
    const attributes = response.response.policies.policy.attributes;
    assert.equal(attributes.policySchema, '3');
    assert.equal(attributes.privateKeyAttributes.minimalKeyLength, '2048');
    const hashRef = attributes.hashAlgorithmOIDReference;
    const oid = list<{ value: string; group: string; oIDReferenceID: string }>(response.oIDs.oID).find((o) => o.oIDReferenceID === hashRef);
    assert.deepEqual([oid?.value, oid?.group], ['2.16.840.1.101.3.4.2.1', '1']);
    assert.equal(response.cAs['@_nil'], 'true');
  });

  it('signs the real CSR and returns a provisioning document Windows can apply (capture 04)', async () => {
    const res = await replay(t, await capture('04-enroll-post.http'));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(Number(res.headers['content-length']), Buffer.byteLength(res.body));
    const env = xml.parse(res.body).Envelope;
    assert.equal(env.Header.RelatesTo, 'urn:uuid:0d5a1441-5891-453b-becf-a2e5f6ea3749');
    const rstr = env.Body.RequestSecurityTokenResponseCollection.RequestSecurityTokenResponse;
    assert.equal(rstr.TokenType, 'http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentToken');
    const token = rstr.RequestedSecurityToken.BinarySecurityToken;
    assert.equal(token['@_ValueType'], 'http://schemas.microsoft.com/5.0.0.0/ConfigurationManager/Enrollment/DeviceEnrollmentProvisionDoc');
    const doc = Buffer.from(token['#text'], 'base64').toString('utf8');
    const root = xml.parse(doc)['wap-provisioningdoc'] as Characteristic & { '@_version': string };
    assert.equal(root['@_version'], '1.1');
    const [rootStore, myStore, application, dmclient] = list(root.characteristic);

    const caNode = child(child(rootStore!, 'Root')!, 'System')!;
    const caCert = list(caNode.characteristic)[0]!;
    const caDer = Buffer.from(parms(caCert).get('EncodedCertificate')!, 'base64');
    assert.deepEqual(new Uint8Array(caDer), t.authority.caCertDer);
    assert.equal(caCert['@_type'], t.authority.caThumbprint);

    // EnrollmentType Full is a user enrollment: the device certificate goes to My/User.
    const userNode = child(child(myStore!, 'My')!, 'User')!;
    const deviceNode = list(userNode.characteristic)[0]!;
    const deviceCert = new X509Certificate(Buffer.from(parms(deviceNode).get('EncodedCertificate')!, 'base64'));
    assert.equal(deviceCert.subject, 'CN=B5B954E81FBCB94EB79BD08BE625F4EE');
    assert.ok(deviceCert.checkIssued(new X509Certificate(Buffer.from(t.authority.caCertDer))));
    assert.equal(deviceNode['@_type'], deviceCert.fingerprint.replace(/:/g, ''));

    const app = parms(application!);
    assert.equal(app.get('APPID'), 'w7');
    assert.equal(app.get('PROVIDER-ID'), 'DMCHarness');
    assert.equal(app.get('ADDR'), 'https://enroll.test:8443/ManagementServer/MDM.svc');
    assert.equal(app.get('DEFAULTENCODING'), 'application/vnd.syncml.dm+xml');
    assert.equal(app.get('SSLCLIENTCERTSEARCHCRITERIA'), 'Subject=CN%3DB5B954E81FBCB94EB79BD08BE625F4EE&Stores=My%5CUser');
    assert.ok(app.has('BACKCOMPATRETRYDISABLED'));
    const auths = list(application!.characteristic).map(parms);
    const record = t.store.get('B5B954E81FBCB94EB79BD08BE625F4EE');
    assert.ok(record);
    assert.deepEqual(auths.map((a) => [a.get('AAUTHLEVEL'), a.get('AAUTHTYPE'), a.get('AAUTHNAME'), a.get('AAUTHSECRET'), a.get('AAUTHDATA')]), [
      // w7 APPLICATION CSP: APPSRV holds the credentials the client authenticates itself with, CLIENT the server's.
      ['APPSRV', 'DIGEST', record.clientDigest.name, record.clientDigest.secret, record.clientDigest.nonce],
      ['CLIENT', 'DIGEST', record.serverDigest.name, record.serverDigest.secret, record.serverDigest.nonce],
    ]);

    const provider = child(child(dmclient!, 'Provider')!, 'DMCHarness')!;
    const poll = parms(child(provider, 'Poll')!);
    assert.equal(poll.get('NumberOfFirstRetries'), '5');
    assert.equal(poll.get('IntervalForFirstSetOfRetries'), '3');

    assert.equal(record.hwDevId, '3B3ED6D0EA88CBFCF37D36F90F22FE61172348C0162FC3840D6703149870CE76');
    assert.equal(record.enrollmentType, 'Full');
    assert.equal(record.upn, 'demio');
    assert.equal(record.certificate.thumbprint, deviceNode['@_type']);
    const exchange = t.exchanges.at(-1);
    assert.equal(exchange?.deviceId, 'B5B954E81FBCB94EB79BD08BE625F4EE');
  });

  it('refuses a wrong password with an s:Authentication fault naming the user', async () => {
    const request = await capture('04-enroll-post.http');
    const res = await replay(t, request, request.body.replace('>demo</wsse:Password>', '>wrong</wsse:Password>'));
    assert.equal(res.statusCode, 500);
    assert.deepEqual(faultOf(res.body), {
      code: 's:Receiver',
      subcode: 's:Authentication',
      reason: 'enrollment: the user name or password of UsernameToken user "demio" is wrong',
      relatesTo: 'urn:uuid:0d5a1441-5891-453b-becf-a2e5f6ea3749',
    });
    assert.equal(t.exchanges.at(-1)?.errorCode, 'DMC_ERR_ENROLLMENT_BAD_CREDENTIALS');
  });

  it('refuses a GetPolicies without UsernameToken', async () => {
    const request = await capture('03-policy-post.http');
    const body = request.body.replace(/<wsse:Security[\s\S]*<\/wsse:Security>/, '');
    const res = await replay(t, request, body);
    assert.equal(res.statusCode, 500);
    const fault = faultOf(res.body);
    assert.equal(fault.subcode, 's:Authentication');
    assert.equal(fault.reason, 'policy: the request carries no WS-Security UsernameToken (OnPremise authentication needs one)');
  });

  it('answers malformed SOAP with s:MessageFormat and keeps serving', async () => {
    const request = await capture('02-discovery-post.http');
    const res = await replay(t, request, '<s:Envelope><s:Header>');
    assert.equal(res.statusCode, 400);
    assert.equal(faultOf(res.body).subcode, 's:MessageFormat');
    const noBody = await replay(t, request, '<s:Envelope xmlns:s="x"><s:Header><a:MessageID>m1</a:MessageID></s:Header></s:Envelope>');
    assert.equal(noBody.statusCode, 400);
    assert.equal(faultOf(noBody.body).reason, 'discovery: the request body is not the SOAP message this endpoint expects: Envelope/Header/Action: expected an element with text content');
    assert.equal((await replay(t, request)).statusCode, 200);
  });

  it('answers a wrong content type with 415', async () => {
    const request = await capture('02-discovery-post.http');
    const res = await t.app.inject({ method: 'POST', url: request.url, headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(res.statusCode, 415);
    assert.equal(faultOf(res.body).reason, 'discovery: Content-Type must be application/soap+xml; charset=utf-8, received "application/json"');
  });

  it('refuses a CSR whose signature does not verify with s:CertificateRequest', async () => {
    const request = await capture('04-enroll-post.http');
    const res = await replay(t, request, request.body.replace('rkU=</wsse:BinarySecurityToken>', 'rkA=</wsse:BinarySecurityToken>'));
    assert.equal(res.statusCode, 500);
    const fault = faultOf(res.body);
    assert.equal(fault.subcode, 's:CertificateRequest');
    assert.match(fault.reason, /^RequestSecurityToken: the PKCS#10 request in BinarySecurityToken was refused: /);
  });
});

describe('enrollment body limit', () => {
  it('answers an oversized body with 413', async () => {
    const t = await createEnrollmentTestApp({ user: 'u', password: 'p', bodyLimit: 2048 });
    try {
      const request = await capture('04-enroll-post.http');
      const res = await replay(t, request);
      assert.equal(res.statusCode, 413);
      assert.equal(faultOf(res.body).reason, 'enrollment: the request body is larger than the 2048 bytes this endpoint accepts');
    } finally {
      await t.close();
    }
  });
});
