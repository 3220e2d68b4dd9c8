import { readFileSync } from 'node:fs';

/** The harness version from package.json, read relative to this module so any working directory works. */
export function harnessVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}
