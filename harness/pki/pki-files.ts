/**
 * The files the harness CA keeps under `<dataDir>/pki/`. Keys are written 0600 and the folder 0700; every write
 * goes to a temporary file first and is renamed into place, so a crash never leaves half a key or half a record.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface PkiPaths {
  dir: string;
  caKey: string;
  caCert: string;
  serverKey: string;
  serverCert: string;
  /** Which host names the server certificate was issued for (JSON, see authority.ts). */
  serverMeta: string;
  /** Issued device certificates, one JSON record per line, appended (issued-store.ts). */
  issued: string;
  /** The earlier whole-file format of the same record; read and migrated to `issued` when found. */
  issuedLegacy: string;
}

export function pkiPaths(dataDir: string): PkiPaths {
  const dir = join(dataDir, 'pki');
  return {
    dir,
    caKey: join(dir, 'ca.key.pem'),
    caCert: join(dir, 'ca.cert.pem'),
    serverKey: join(dir, 'server.key.pem'),
    serverCert: join(dir, 'server.cert.pem'),
    serverMeta: join(dir, 'server.json'),
    issued: join(dir, 'issued.jsonl'),
    issuedLegacy: join(dir, 'issued.json'),
  };
}

export async function ensurePkiDir(paths: PkiPaths): Promise<void> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
}

/** Writes atomically; `secret` files get mode 0600 (set again after rename in case the file pre-existed wider). */
export async function writeFileAtomic(path: string, content: string, options: { secret: boolean }): Promise<void> {
  const mode = options.secret ? 0o600 : 0o644;
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, path);
  await chmod(path, mode);
}

/** The file's text, or undefined when it does not exist (any other read error propagates). */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
