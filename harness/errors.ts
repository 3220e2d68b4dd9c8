/**
 * The error model every layer shares (after fastify's lib/errors.js and undici's typed errors).
 *
 * Each layer keeps its own registry in `<layer>/errors.ts`, built with `defineErrors`, so layers never edit
 * one shared file. A registry key always equals the error's code; `harness/errors.test.ts` finds every registry,
 * checks that, and checks that each code is documented (cause and fix) in `docs/errors/*.md`.
 *
 * Errors cross process boundaries (SSH, Playwright workers, JSON lines), so code that handles one branches on
 * `err.code` and reads `err.fields`, never the message text.
 */

export type ErrorFields = Record<string, unknown>;

export class DmcError<F extends ErrorFields = ErrorFields> extends Error {
  readonly code: string;
  readonly fields: F;
  /** HTTP status the server answers with when this error ends a request, if it can end one. */
  readonly httpStatus: number | undefined;

  constructor(code: string, message: string, fields: F, options?: { cause?: unknown; httpStatus?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DmcError';
    this.code = code;
    this.fields = fields;
    this.httpStatus = options?.httpStatus;
  }

  toJSON(): { code: string; message: string; fields: F } {
    return { code: this.code, message: this.message, fields: this.fields };
  }
}

export interface ErrorDefinition<F extends ErrorFields, E extends DmcError<F> = DmcError<F>> {
  readonly code: string;
  readonly httpStatus: number | undefined;
  /** Makes the error; the message is rendered from the fields so it always shows the value received. */
  create(fields: F, options?: { cause?: unknown }): E;
  /** True when `err` is this error, also after it crossed a process boundary as JSON. */
  is(err: unknown): err is E;
}

type ErrorClass<F extends ErrorFields, E extends DmcError<F>> = new (
  code: string,
  message: string,
  fields: F,
  options?: { cause?: unknown; httpStatus?: number },
) => E;

export interface ErrorSpec<F extends ErrorFields, E extends DmcError<F>> {
  message: (fields: F) => string;
  httpStatus?: number;
  errorClass?: ErrorClass<F, E>;
}

export function defineError<F extends ErrorFields, E extends DmcError<F> = DmcError<F>>(
  code: string,
  spec: ErrorSpec<F, E>,
): ErrorDefinition<F, E> {
  const Class = (spec.errorClass ?? DmcError) as ErrorClass<F, E>;
  return {
    code,
    httpStatus: spec.httpStatus,
    create(fields, options) {
      return new Class(code, spec.message(fields), fields, {
        ...(options?.cause === undefined ? {} : { cause: options.cause }),
        ...(spec.httpStatus === undefined ? {} : { httpStatus: spec.httpStatus }),
      });
    },
    is(err: unknown): err is E {
      return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
    },
  };
}

/** A layer's registry: the object's keys must equal the codes (checked by `harness/errors.test.ts`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorRegistry = Readonly<Record<string, ErrorDefinition<any, any>>>;

export function defineErrors<R extends ErrorRegistry>(registry: R): R {
  return Object.freeze(registry);
}

/**
 * An error as a person reads it: its message, then its code in brackets, which docs/errors/ explains. The conformance
 * reporter reads the code back from this form (docs/results-format.md, "Error codes").
 */
export function messageWithCode(err: DmcError): string {
  return `${err.message} [${err.code}]`;
}

/**
 * What a file-system refusal means to the person who named the path, by errno code. Only codes that mean the same
 * whatever the call was: ENOENT and EEXIST say different things for a write and for a mkdir, so each caller adds its
 * own words for them.
 */
export const FILE_SYSTEM_REASONS: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'a name in the path is too long',
  ELOOP: 'too many symbolic links on the way',
};

/** FILE_SYSTEM_REASONS for writing a file: ENOENT and EEXIST are about the folder it goes in. */
export const FILE_WRITE_REASONS: Readonly<Record<string, string>> = {
  ...FILE_SYSTEM_REASONS,
  ENOENT: 'its directory does not exist',
  EEXIST: 'a file of that name is in the way of a directory',
};

/**
 * Why a file or folder a person named could not be read, in words, for a message that already names the path:
 * `no such file`, `it is a directory`, `permission denied (EACCES)`. `what` is what the caller reads ("file",
 * "folder", "file or folder"): ENOENT is "no such <what>", and ENOTDIR for a folder is "not a folder".
 */
export function readFailureReason(err: unknown, what = 'file'): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string') return String((err as Error)?.message ?? err);
  if (code === 'ENOENT') return `no such ${what}`;
  if (code === 'ENOTDIR' && what === 'folder') return 'not a folder';
  if (code === 'EISDIR') return FILE_SYSTEM_REASONS.EISDIR as string;
  const reason = FILE_SYSTEM_REASONS[code];
  return reason === undefined ? (err as Error).message : `${reason} (${code})`;
}

/** A failed file-system call in words, from `reasons`: `mkdir /sys/x: permission denied (EPERM)`. */
export function fileErrorReason(err: unknown, reasons: Readonly<Record<string, string>> = FILE_SYSTEM_REASONS): string {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code !== 'string') return String((err as Error)?.message ?? err);
  const what = e.syscall === undefined || e.path === undefined ? '' : `${e.syscall} ${e.path}: `;
  return `${what}${reasons[e.code] ?? e.message} (${e.code})`;
}

/**
 * Quotes a received value for a message, cut so one bad megabyte cannot flood a log line. Nothing received (a
 * missing field) reads `nothing`, unquoted, so it is not mistaken for the text "undefined".
 */
export function shown(value: unknown, max = 120): string {
  if (value === undefined) return 'nothing';
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const cut = text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  return JSON.stringify(cut);
}
