/**
 * A quick yes for the drafts a script usually queues: true only when `commandDraftSchema` (draft-schema.ts) is
 * certain to accept the draft, so `enqueue()` may skip the zod parse. Anything it is unsure of (an unknown key, a
 * class instance, deep nesting, a value of another type) answers false, and zod decides and words the refusal.
 *
 * Why: zod's parse of a strict discriminated union cost about 30 µs per draft, over half a millisecond for every
 * 20-command sync() (issue #13, benchmarks/server.bench.ts). draft-check.test.ts holds the two in step.
 *
 * `surelyBuildableDraft` does the same for the second check of enqueue(), the one that builds each draft once to
 * see that a message can carry it (delivery.ts, draftBuildProblem): about 3.5 % of the server's main thread at
 * 100 devices x 20 sessions. Its quick yes covers the item commands scripts queue, with plain text everywhere.
 */

type Obj = Record<string, unknown>;

const META_KEYS: ReadonlySet<string> = new Set(['Format', 'Type', 'Size', 'MaxMsgSize', 'MaxObjSize', 'NextNonce', 'Mark', 'Version']);
const ITEM_KINDS: ReadonlySet<string> = new Set(['Add', 'Delete', 'Get', 'Replace']);
/** Deeper Atomic/Sequence nesting is left to zod. */
const MAX_DEPTH = 8;

function plain(value: unknown): value is Obj {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const optString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const optBoolean = (v: unknown): boolean => v === undefined || typeof v === 'boolean';

function meta(value: unknown): boolean {
  if (value === undefined) return true;
  if (!plain(value)) return false;
  for (const key in value) if (!META_KEYS.has(key) || !optString(value[key])) return false;
  return true;
}

function location(value: unknown): boolean {
  if (value === undefined) return true;
  if (!plain(value) || typeof value['LocURI'] !== 'string') return false;
  for (const key in value) if ((key !== 'LocURI' && key !== 'LocName') || !optString(value[key])) return false;
  return true;
}

function data(value: unknown): boolean {
  if (value === undefined || typeof value === 'string') return true;
  if (!plain(value) || typeof value['xml'] !== 'string') return false;
  for (const key in value) if (key !== 'xml') return false;
  return true;
}

function item(value: unknown): boolean {
  if (!plain(value)) return false;
  for (const key in value) {
    const v = value[key];
    const ok =
      key === 'Target' || key === 'Source' ? location(v)
        : key === 'Meta' ? meta(v)
          : key === 'Data' ? data(v)
            : key === 'MoreData' ? optBoolean(v)
              : false;
    if (!ok) return false;
  }
  return true;
}

function cred(value: unknown): boolean {
  if (value === undefined) return true;
  if (!plain(value) || typeof value['Data'] !== 'string') return false;
  for (const key in value) if (key !== 'Data' && (key !== 'Meta' || !meta(value[key]))) return false;
  return true;
}

function items(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!(i in value) || !item(value[i])) return false;
  return true;
}

function draft(value: unknown, depth: number): boolean {
  if (!plain(value)) return false;
  const kind = value['kind'];
  if (typeof kind !== 'string') return false;
  const container = kind === 'Atomic' || kind === 'Sequence';
  if (container) {
    const commands = value['commands'];
    if (depth >= MAX_DEPTH || !Array.isArray(commands)) return false;
    for (let i = 0; i < commands.length; i++) if (!(i in commands) || !draft(commands[i], depth + 1)) return false;
  } else if (!items(value['Item'])) return false;
  const exec = kind === 'Exec';
  const alert = kind === 'Alert';
  if (!container && !exec && !alert && !ITEM_KINDS.has(kind)) return false;
  if (alert && typeof value['Data'] !== 'string') return false;
  for (const key in value) {
    const v = value[key];
    let ok: boolean;
    switch (key) {
      case 'kind':
        ok = true;
        break;
      case 'NoResp':
        ok = optBoolean(v);
        break;
      case 'Meta':
        ok = !alert && meta(v);
        break;
      case 'Cred':
        ok = !container && cred(v);
        break;
      case 'Item':
        ok = !container;
        break;
      case 'commands':
        ok = container;
        break;
      case 'Correlator':
        ok = (exec || alert) && optString(v);
        break;
      case 'Data':
        ok = alert;
        break;
      default:
        ok = false;
    }
    if (!ok) return false;
  }
  return true;
}

/** True only when `commandDraftSchema.safeParse(value)` is certain to succeed; false means "ask zod". */
export function surelyValidDraft(value: unknown): boolean {
  return draft(value, 0);
}

/**
 * Text the builder writes as it is or escapes, never refuses: XML 1.0 characters without C0 controls (tab, LF and
 * CR excepted), surrogates (a valid pair is left to the builder too) or U+FFFE/U+FFFF.
 */
const PLAIN_TEXT = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD]*$/;
const plainText = (v: unknown): boolean => typeof v === 'string' && PLAIN_TEXT.test(v);
const optPlainText = (v: unknown): boolean => v === undefined || plainText(v);

function buildableMeta(value: unknown): boolean {
  if (value === undefined) return true;
  if (!plain(value)) return false;
  for (const key in value) if (!optPlainText(value[key])) return false;
  return true;
}

function buildableLocation(value: unknown): boolean {
  return value === undefined || (plain(value) && plainText(value['LocURI']) && optPlainText(value['LocName']));
}

/** Embedded XML (`{ xml }`) is left to the builder, which checks it is well-formed. */
function buildableItem(value: unknown): boolean {
  return (
    plain(value) &&
    buildableLocation(value['Target']) &&
    buildableLocation(value['Source']) &&
    buildableMeta(value['Meta']) &&
    optPlainText(value['Data'])
  );
}

/**
 * True only when building `value` (a draft the schema accepted) cannot fail: an Add, Delete, Get, Replace or Exec
 * without Cred, with plain text everywhere, no embedded XML, and an Exec's Correlator non-empty. False means "build
 * it and see" (draftBuildProblem); draft-check.test.ts checks that a yes never meets a draft the builder refuses.
 */
export function surelyBuildableDraft(value: unknown): boolean {
  if (!plain(value)) return false;
  const kind = value['kind'];
  if (kind !== 'Exec' && !(typeof kind === 'string' && ITEM_KINDS.has(kind))) return false;
  if (value['Cred'] !== undefined || !buildableMeta(value['Meta'])) return false;
  const correlator = value['Correlator'];
  if (correlator !== undefined && (correlator === '' || !plainText(correlator))) return false;
  const list = value['Item'];
  if (!Array.isArray(list)) return false;
  for (let i = 0; i < list.length; i++) if (!(i in list) || !buildableItem(list[i])) return false;
  return true;
}
