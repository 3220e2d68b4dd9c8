/**
 * Keeps secrets out of results.json: the inventory and the command line are recorded so a run can be repeated,
 * but passwords, private keys and tokens must never reach a report that is shared or archived.
 */

export const REDACTED = '[redacted]';

/**
 * Keys whose values are secrets. A key ending in "Env" (passwordEnv, keyPassphraseEnv) holds the NAME of an
 * environment variable, which is what the inventory is meant to hold instead of the secret, so it is kept.
 */
const SECRET_KEY = /password|passphrase|passwd|secret|private.?key|token|credential|api.?key/i;
const ENV_NAME_KEY = /env$/i;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !ENV_NAME_KEY.test(key);
}

/** A deep copy of `value` with secret values replaced; cycles are cut rather than followed. */
export function redactSecrets(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return PEM_PRIVATE_KEY.test(value) ? REDACTED : value;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = isSecretKey(key) && item !== null && item !== undefined && typeof item !== 'boolean' ? REDACTED : redactSecrets(item, seen);
  }
  return copy;
}

/**
 * The command line with the values of secret options replaced (`--password P`, `--password=P`). A short flag
 * such as `-p` is left alone: it says nothing about what it carries.
 */
export function redactCommandLine(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const option = /^--?([A-Za-z][\w-]*)(=(.*))?$/.exec(arg);
    if (option !== null && isSecretKey(option[1]!)) {
      if (option[2] !== undefined) {
        out.push(`--${option[1]}=${REDACTED}`);
      } else {
        out.push(arg);
        if (i + 1 < argv.length) {
          out.push(REDACTED);
          i++;
        }
      }
      continue;
    }
    out.push(PEM_PRIVATE_KEY.test(arg) ? REDACTED : arg);
  }
  return out;
}
