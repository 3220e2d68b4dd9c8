/**
 * The tags of the tests a run could select, asked of Playwright itself (`playwright test --list --reporter=json`
 * with the run's config and targets): `dmc run` names them when --tag or --grep matched no test, so a mistyped
 * `group:pol` is answered with the tags there are, not with Playwright's "No tests found" as an error outside a
 * test. Listing loads the config and the spec files without running a test (about 4 s here), so it is done only
 * on that error path.
 */
import { execFile } from 'node:child_process';
import { z } from 'zod';

/** The part of Playwright's JSON report read here; the reporter writes tags without their "@". */
interface ListedSuite {
  specs?: Array<{ tags?: string[] }>;
  suites?: ListedSuite[];
}
const listedSuiteSchema: z.ZodType<ListedSuite> = z.lazy(() =>
  z.object({
    specs: z.array(z.object({ tags: z.array(z.string()).optional() })).optional(),
    suites: z.array(listedSuiteSchema).optional(),
  }),
);
const listSchema = z.object({ suites: z.array(listedSuiteSchema) });

/** 1,130 tests list as about 2 MB of JSON; room for suites many times larger. */
const MAX_LIST_BYTES = 256 * 1024 * 1024;

/** Every tag of the listed tests, sorted, each with its "@" as a test declares it; undefined when listing failed. */
export function tagsOfListing(json: string): string[] | undefined {
  let parsed;
  try {
    parsed = listSchema.safeParse(JSON.parse(json));
  } catch {
    return undefined;
  }
  if (!parsed.success) return undefined;
  const tags = new Set<string>();
  const walk = (suite: ListedSuite): void => {
    for (const spec of suite.specs ?? []) for (const tag of spec.tags ?? []) tags.add(tag.startsWith('@') ? tag : `@${tag}`);
    for (const child of suite.suites ?? []) walk(child);
  };
  parsed.data.suites.forEach(walk);
  return [...tags].sort();
}

/**
 * Runs `node <playwrightCli> <listArgs>` in `cwd` and reads the tags from its report. Undefined when Playwright
 * cannot list (the caller then says only that nothing matched): this is advice on an error path, never a reason
 * to fail differently.
 */
export function listSuiteTags(playwrightCli: string, listArgs: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    execFile(process.execPath, [playwrightCli, ...listArgs], { cwd: options.cwd, env: options.env, maxBuffer: MAX_LIST_BYTES, encoding: 'utf8' }, (error, stdout) => {
      resolve(error === null ? tagsOfListing(stdout) : undefined);
    });
  });
}
