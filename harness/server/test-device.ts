/**
 * A scripted device for server tests and the benchmark: enrolls over real HTTPS with a Windows-shaped CSR (the
 * capture 04 request with its CSR and DeviceID replaced) and sends SyncML with or without its client certificate.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent, request as httpsRequest } from 'node:https';
import { XMLParser } from 'fast-xml-parser';
import { parseHttpCapture } from '../enrollment/http-capture.js';
import { buildWindowsLikeCsr, derToPem } from '../pki/index.js';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface TlsIdentity {
  ca: string;
  cert?: string;
  key?: string;
  agent?: Agent;
}

export function post(url: string, body: string | Uint8Array, headers: Record<string, string>, tls: TlsIdentity): Promise<HttpAnswer> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(bytes.length) },
        ca: tls.ca,
        ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
        ...(tls.agent === undefined ? { agent: false } : { agent: tls.agent }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

const xml = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, parseTagValue: false, attributeNamePrefix: '@_' });

export interface EnrolledDevice {
  deviceId: string;
  certPem: string;
  keyPem: string;
  /** The CLIENT APPAUTH of the provisioning document: digest name, secret and first nonce. */
  digest: { name: string; secret: string; nonce: string };
  managementUrl: string;
}

let rstTemplate: string | undefined;

/** Generates a key (1024 bits keeps tests fast; the policy minimum is advisory to Windows), enrolls, returns the device. */
export async function enrollDevice(input: {
  baseUrl: string;
  ca: string;
  deviceId: string;
  user: string;
  password: string;
  key?: KeyObject;
}): Promise<EnrolledDevice> {
  rstTemplate ??= parseHttpCapture(await readFile(new URL('../enrollment/testdata/04-enroll-post.http', import.meta.url), 'utf8')).body;
  const privateKey = input.key ?? generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
  const csr = Buffer.from(buildWindowsLikeCsr({ deviceId: input.deviceId, privateKey })).toString('base64');
  const body = rstTemplate
    .replace(/(<wsse:BinarySecurityToken[^>]*>)[^<]*/, `$1${csr}`)
    .replace('B5B954E81FBCB94EB79BD08BE625F4EE', input.deviceId)
    .replace('<wsse:Username>demio</wsse:Username>', `<wsse:Username>${input.user}</wsse:Username>`)
    .replace('>demo</wsse:Password>', `>${input.password}</wsse:Password>`);
  const answer = await post(`${input.baseUrl}/EnrollmentServer/Enrollment.svc`, body, { 'content-type': 'application/soap+xml; charset=utf-8' }, { ca: input.ca });
  if (answer.status !== 200) throw new Error(`enrollment of ${input.deviceId} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  const token = xml.parse(answer.body).Envelope.Body.RequestSecurityTokenResponseCollection.RequestSecurityTokenResponse.RequestedSecurityToken.BinarySecurityToken['#text'] as string;
  const doc = Buffer.from(token, 'base64').toString('utf8');
  const cert = /<characteristic type="My"><characteristic type="(?:User|System)"><characteristic type="[0-9A-F]{40}"><parm name="EncodedCertificate" value="([^"]+)"/.exec(doc)?.[1];
  const client = /<characteristic type="APPAUTH"><parm name="AAUTHLEVEL" value="APPSRV"\/><parm name="AAUTHTYPE" value="DIGEST"\/><parm name="AAUTHNAME" value="([^"]*)"\/><parm name="AAUTHSECRET" value="([^"]*)"\/><parm name="AAUTHDATA" value="([^"]*)"\/>/.exec(doc);
  const addr = /<parm name="ADDR" value="([^"]+)"/.exec(doc)?.[1];
  if (cert === undefined || client === null || addr === undefined) throw new Error(`unexpected provisioning document: ${doc.slice(0, 300)}`);
  return {
    deviceId: input.deviceId,
    certPem: derToPem(Buffer.from(cert, 'base64'), 'CERTIFICATE'),
    keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    digest: { name: client[1]!, secret: client[2]!, nonce: client[3]! },
    managementUrl: addr,
  };
}
