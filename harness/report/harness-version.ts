/**
 * The harness version recorded in results.json, read from the project's package.json. (harness/cli/version.ts
 * does the same for `dmc --version`; the report layer may not import the CLI, see harness/import-rules.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const packageSchema = z.object({ version: z.string() });

export function harnessVersionFrom(packageJson: URL | string): string {
  const parsed = packageSchema.safeParse(JSON.parse(readFileSync(packageJson, 'utf8')));
  // A package.json without a version is a broken checkout, not a reason to lose a run's results.
  return parsed.success ? parsed.data.version : '0.0.0';
}
