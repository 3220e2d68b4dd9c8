/** Shared by this folder's tests: the real Windows CSR from the fixture, and temporary data folders. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fixture = new URL('./fixtures/04-enroll-post.http', import.meta.url);

/** The base64 PKCS #10 in the captured RequestSecurityToken's BinarySecurityToken. */
export async function realWindowsCsrBase64(): Promise<string> {
  const text = await readFile(fixture, 'utf8');
  const match = /ValueType="[^"]*#PKCS10"[^>]*>([^<]+)<\/wsse:BinarySecurityToken>/.exec(text);
  if (match?.[1] === undefined) throw new Error(`no PKCS10 BinarySecurityToken in ${fixture.pathname}`);
  return match[1].trim();
}

export const REAL_DEVICE_ID = 'B5B954E81FBCB94EB79BD08BE625F4EE';
export const REAL_CN = '562A7F9A-6CD8-40B0-9E7E-0DBDD8!B5B954E81FBCB94EB79BD08BE625F4EE';

export async function withTempDir<T>(prefix: string, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `dmc-pki-${prefix}-`));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
