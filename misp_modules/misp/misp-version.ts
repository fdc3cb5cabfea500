/**
 * MISP versions, as `/servers/getVersion` gives them ("2.4.196", "2.5.2"), and the versions from
 * which the client may rely on a behaviour.
 */
export type MispVersion = readonly number[];

/** X-Skipped-Elements-Count, the rows warninglists (or decay) dropped from a page: sent from 2.4.196 on. */
export const SKIPPED_COUNT_SINCE: MispVersion = [2, 4, 196];
/** Organisations given by uuid in a search's `org`: understood from 2.4.143 on; older ones match nothing. */
export const ORGANISATION_UUIDS_SINCE: MispVersion = [2, 4, 143];

const VERSION = /^\s*v?(\d+)\.(\d+)\.(\d+)/;

/** The numbers of a version string, or undefined when it is not one. */
export function parseMispVersion(text: unknown): MispVersion | undefined {
  if (typeof text !== 'string') return undefined;
  const match = VERSION.exec(text);
  return match === null ? undefined : [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function isAtLeast(version: MispVersion, minimum: MispVersion): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const part = version[i] ?? 0;
    const wanted = minimum[i] ?? 0;
    if (part !== wanted) return part > wanted;
  }
  return true;
}

export function formatMispVersion(version: MispVersion): string {
  return version.join('.');
}

/** Decaying models (`decayingModel/index`, restSearch's `includeDecayScore`): introduced in MISP 2.4.116 (MISP's release post of 12 September 2019). */
export const DECAYING_MODELS_SINCE: MispVersion = [2, 4, 116];
