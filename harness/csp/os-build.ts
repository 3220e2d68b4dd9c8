/**
 * Windows build numbers and the DDF's MSFT:OsBuildVersion requirement.
 *
 * A requirement is a comma-separated list such as "10.0.22621, 10.0.22000.1165, 10.0.19044.1766". Microsoft's
 * documentation renders each entry as "<that release> and later": a three-part entry is a plain minimum, a
 * four-part one is a servicing backport (the feature arrived on that branch with update revision 1165). Branches
 * that share cumulative updates (22621/22631, 19042..19045) carry one entry for all of them, so an entry covers
 * every build from its own up to the next listed entry: the device's build falls into the window of the highest
 * entry at or below it, and that entry's update revision, if it has one, is the minimum. A four-part entry covers
 * only its enablement-package family (builds within ENABLEMENT_FAMILY_SPAN above it: 19041-19045, 22621/22631,
 * 26100/26200), not a later branch the DDF did not know. "99.9.99999" is how the DDF marks a node no released
 * build had when the file was written.
 */
import { errors } from './errors.js';

export interface OsBuild {
  major: number;
  minor: number;
  build: number;
  /** The update revision (UBR), when the text has a fourth part. */
  ubr: number | undefined;
  text: string;
}

/** Builds of one servicing branch released as enablement packages lie this close above the branch's first build. */
export const ENABLEMENT_FAMILY_SPAN = 100;

const BUILD = /^(\d{1,5})\.(\d{1,5})\.(\d{1,6})(?:\.(\d{1,6}))?$/;

export function parseBuild(text: string): OsBuild {
  const m = BUILD.exec(text.trim());
  if (m === null) throw errors.DMC_ERR_CSP_BAD_BUILD.create({ build: text });
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    build: Number(m[3]),
    ubr: m[4] === undefined ? undefined : Number(m[4]),
    text: text.trim(),
  };
}

/** Compares major.minor.build numerically (not as text: "10.0.9200" < "10.0.10240"); the UBR is not compared. */
export function compareRelease(a: OsBuild, b: OsBuild): number {
  return a.major - b.major || a.minor - b.minor || a.build - b.build;
}

/** Full numeric comparison; a missing UBR counts as 0. */
export function compareBuilds(a: OsBuild, b: OsBuild): number {
  return compareRelease(a, b) || (a.ubr ?? 0) - (b.ubr ?? 0);
}

/** Splits an MSFT:OsBuildVersion text into its entries (kept as written). */
export function splitBuildRequirement(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Whether `device` meets a requirement list (see the file comment); `undefined` when met, else a reason.
 * A device build given without its update revision fails a four-part entry of its own window: the harness cannot
 * know the backport is there.
 */
export function unmetBuildRequirement(device: OsBuild, entries: readonly OsBuild[]): string | undefined {
  const sorted = [...entries].sort(compareBuilds);
  const lowest = sorted[0];
  if (lowest === undefined) return undefined;
  const window = sorted.filter((e) => compareRelease(e, device) <= 0).at(-1);
  const listed = entries.map((e) => e.text).join(', ');
  if (window === undefined) return `needs OS build ${listed}; the device runs ${device.text}`;
  if (window.ubr !== undefined && device.build - window.build > ENABLEMENT_FAMILY_SPAN) {
    return `needs OS build ${listed}; the device runs ${device.text}, on a branch none of them covers`;
  }
  if (window.ubr !== undefined && (device.ubr ?? -1) < window.ubr) {
    return `needs OS build ${listed}; the device runs ${device.text}, below ${window.text} on its servicing branch`;
  }
  return undefined;
}
