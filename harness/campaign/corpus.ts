/**
 * The seeds the campaign mutates: the real Windows captures the project keeps (harness/syncml/fixtures,
 * harness/enrollment/testdata; copied from the protocol reference, see their README), and the messages the virtual
 * device really sent to the campaign server, read back from the server's transcripts (so the device stays a device
 * on the network: nothing of it is imported to build messages).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseHttpCapture } from '../enrollment/http-capture.js';
import { TranscriptWriter, transcriptRecords } from '../server/index.js';
import { toRaw } from './raw-mutations.js';

/** The device ID of the real captures, replaced by the campaign device's own. */
export const CAPTURE_DEVICE_ID = 'B5B954E81FBCB94EB79BD08BE625F4EE';

export type SoapEndpoint = 'discovery' | 'policy' | 'enrollment';
export const SOAP_PATHS: Record<SoapEndpoint, string> = {
  discovery: '/EnrollmentServer/Discovery.svc',
  policy: '/EnrollmentServer/Policy.svc',
  enrollment: '/EnrollmentServer/Enrollment.svc',
};

export interface Seed {
  /** Where it came from, for the replay report. */
  origin: string;
  /** Binary string (raw-mutations.ts). */
  raw: string;
}

export interface Corpus {
  syncml: Seed[];
  soap: Record<SoapEndpoint, Seed[]>;
}

async function capture(relative: string): Promise<string> {
  return parseHttpCapture(await readFile(new URL(relative, import.meta.url), 'utf8')).body;
}

/** The captures, addressed to the campaign's device and credentials. */
export async function captureSeeds(input: { deviceId: string; enrollAsDeviceId: string; user: string; password: string }): Promise<Corpus> {
  const forDevice = (text: string) => text.replaceAll(CAPTURE_DEVICE_ID, input.deviceId);
  const credentials = (text: string) =>
    text
      .replace(/(<wsse:Username>)[^<]*(<\/wsse:Username>)/, `$1${input.user}$2`)
      .replace(/(<wsse:Password[^>]*>)[^<]*(<\/wsse:Password>)/, `$1${input.password}$2`);
  return {
    syncml: [
      { origin: 'capture 05 (first session)', raw: toRaw(forDevice(await capture('../syncml/fixtures/05-management-session1.http'))) },
      { origin: 'capture 06 (unenroll alert)', raw: toRaw(forDevice(await capture('../syncml/fixtures/06-management-session2-unenroll.http'))) },
    ],
    soap: {
      discovery: [{ origin: 'capture 02', raw: toRaw(await capture('../enrollment/testdata/02-discovery-post.http')) }],
      policy: [{ origin: 'capture 03', raw: toRaw(credentials(await capture('../enrollment/testdata/03-policy-post.http'))) }],
      enrollment: [{ origin: 'capture 04', raw: toRaw(credentials(await capture('../enrollment/testdata/04-enroll-post.http')).replaceAll(CAPTURE_DEVICE_ID, input.enrollAsDeviceId)) }],
    },
  };
}

/**
 * Every request body the server recorded for `deviceId` (and the unattributed discovery exchanges), as seeds.
 * Transcripts are redacted: the UsernameToken password is put back so enrollment seeds pass authentication, and
 * the device ID is replaced by `asDeviceId` (the identity the campaign sends SyncML with) or, in enrollment
 * requests, by `enrollAsDeviceId` (so a mutated enrollment that still succeeds re-enrolls a device no other row uses).
 */
export async function transcriptSeeds(input: {
  dataDir: string;
  deviceId: string;
  asDeviceId: string;
  enrollAsDeviceId: string;
  password: string;
  origin: string;
}): Promise<Corpus> {
  const corpus: Corpus = { syncml: [], soap: { discovery: [], policy: [], enrollment: [] } };
  const transcripts = new TranscriptWriter(input.dataDir);
  for (const path of [transcripts.pathFor(input.deviceId), transcripts.pathFor(undefined)]) {
    const file = basename(path);
    for await (const record of transcriptRecords(path)) {
      const management = record.url.includes('/ManagementServer/');
      const body = record.request.body
        .replaceAll(input.deviceId, management ? input.asDeviceId : input.enrollAsDeviceId)
        .replace(/(<(?:[\w-]+:)?Password\b[^>]*>)\[redacted\](<\/(?:[\w-]+:)?Password>)/, `$1${input.password}$2`);
      if (body === '') continue;
      const seed = { origin: `${input.origin} ${file}`, raw: toRaw(body) };
      if (management) corpus.syncml.push(seed);
      else if (record.url.includes(SOAP_PATHS.discovery)) corpus.soap.discovery.push(seed);
      else if (record.url.includes(SOAP_PATHS.policy)) corpus.soap.policy.push(seed);
      else if (record.url.includes(SOAP_PATHS.enrollment)) corpus.soap.enrollment.push(seed);
    }
  }
  return corpus;
}

export function mergeCorpora(...corpora: Corpus[]): Corpus {
  return {
    syncml: corpora.flatMap((c) => c.syncml),
    soap: {
      discovery: corpora.flatMap((c) => c.soap.discovery),
      policy: corpora.flatMap((c) => c.soap.policy),
      enrollment: corpora.flatMap((c) => c.soap.enrollment),
    },
  };
}
