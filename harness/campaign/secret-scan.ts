/**
 * Where the campaign's secrets appear in what the server wrote (its log, its transcripts), each shown with the
 * secret masked: enough to find the code that wrote it, without printing the secret again.
 */
import { transcriptFileLines } from '../server/index.js';

/** A secret by what it is (`the enrollment password`) and its value. */
export type NamedSecret = [name: string, value: string];

/** `text` around the first `secret` in it, every copy of the secret masked, as a JSON string. */
export function maskedContext(text: string, secret: string): string {
  const at = text.indexOf(secret);
  return JSON.stringify(text.slice(Math.max(0, at - 160), at + secret.length + 60).replaceAll(secret, '<SECRET>'));
}

/** Each secret found in `text`, by name, with its masked context. */
export function secretsInText(text: string, secrets: readonly NamedSecret[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const [name, secret] of secrets) if (text.includes(secret)) found.set(name, maskedContext(text, secret));
  return found;
}

/**
 * Each secret found in the transcript file at `path`, by name, with the masked context of its first line holding
 * it. Read line by line (transcriptFileLines: the file can be larger than one string); a line never spans two.
 */
export async function secretsInFile(path: string, secrets: readonly NamedSecret[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  // Only the secrets not found yet, narrowed when one is found rather than filtered again for each of millions of lines.
  let missing = secrets;
  for await (const line of transcriptFileLines(path)) {
    const here = secretsInText(line, missing);
    if (here.size === 0) continue;
    for (const [name, context] of here) found.set(name, context);
    missing = missing.filter(([name]) => !found.has(name));
    if (missing.length === 0) break;
  }
  return found;
}
