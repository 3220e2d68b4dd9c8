/**
 * The folders a user names on the command line (`dmc server --data-dir`, `dmc virtual-device --state-dir`,
 * `dmc run --output`, the folder of `dmc calibrate --output`): made and checked before the verb starts, so a folder
 * that cannot be used is one line naming the option, the path and why, not a stack trace from deep inside, and not
 * found only after a calibration has run for minutes.
 *
 * Why not `mkdir(path, { recursive: true })`: on Node 20 it never returns when a parent exists but refuses to hold
 * a folder and answers ENOENT for it (a path under /proc): it steps back to the parent (EEXIST), forward to the
 * child (ENOENT), and so on, at full CPU. `dmc server --data-dir /proc/x` spun like that with no output. Walking
 * up to the first folder that exists and making the rest one by one, each mkdir once, always ends.
 */
import { constants } from 'node:fs';
import { access, lstat, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { FILE_SYSTEM_REASONS, fileErrorReason } from '../errors.js';
import { errors } from './errors.js';

/** An errno in words; ENOENT comes from a mkdir whose parent the walk found, so the file system refused it. */
const REASONS: Readonly<Record<string, string>> = {
  ...FILE_SYSTEM_REASONS,
  ENOENT: 'the file system does not let a folder be made there',
};

/** A fault found by looking, not by a failed call: its message is the whole reason. */
class FolderFault extends Error {}

/**
 * Makes the folder `path` (and the folders above it) when missing, with `mode` for each one made, and checks this
 * process can create files in it. Throws DMC_ERR_CLI_FOLDER_UNUSABLE naming `option`.
 */
export async function prepareFolderOption(option: string, path: string, options: { mode?: number } = {}): Promise<void> {
  try {
    await makeFolders(resolve(path), options.mode);
    await access(path, constants.W_OK | constants.X_OK).catch((err: unknown) => {
      throw new FolderFault(`cannot create files in it: ${fileErrorReason(err, REASONS)}`);
    });
  } catch (err) {
    throw errors.DMC_ERR_CLI_FOLDER_UNUSABLE.create({ option, path, reason: err instanceof FolderFault ? err.message : fileErrorReason(err, REASONS) });
  }
}

async function makeFolders(target: string, mode: number | undefined): Promise<void> {
  const missing: string[] = [];
  for (let at = target; !(await isFolder(at)); at = dirname(at)) {
    if (dirname(at) === at) throw new FolderFault(`the root ${at} is not a folder`);
    missing.push(at);
  }
  for (const folder of missing.reverse()) {
    try {
      await mkdir(folder, mode === undefined ? undefined : { mode });
    } catch (err) {
      // Something is there: a folder made meanwhile is fine; anything else was skipped above as "not a folder".
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await isFolder(folder))) throw await explain(folder, err);
    }
  }
}

/** True for a folder (or a link to one); false when nothing is there or a file is; throws when it cannot be told. */
async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}

/** Why `folder` could not be made: a file or a broken link in its place, or what the mkdir said. */
async function explain(folder: string, err: unknown): Promise<Error> {
  if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return err as Error;
  const link = (await lstat(folder)).isSymbolicLink();
  return new FolderFault(link ? `${folder} is a symbolic link to nothing that exists` : `${folder} is a file, not a folder`);
}
