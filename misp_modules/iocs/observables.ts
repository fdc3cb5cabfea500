// Sekoia.io observables and the upload `format` each one travels under. All hashes share
// `file.hashes`: Sekoia.io tells MD5, SHA-1, SHA-256 and SHA-512 apart by length.
export const OBSERVABLE_UPLOAD_FORMATS = {
  'ipv4-addr.value': 'ipv4-addr.value',
  'ipv6-addr.value': 'ipv6-addr.value',
  'domain-name.value': 'domain-name.value',
  'url.value': 'url.value',
  'file.hashes.MD5': 'file.hashes',
  'file.hashes.SHA-1': 'file.hashes',
  'file.hashes.SHA-256': 'file.hashes',
  'file.hashes.SHA-512': 'file.hashes',
  'email-addr.value': 'email-addr.value',
} as const;

/** A Sekoia.io observable path, e.g. `ipv4-addr.value` or `file.hashes.SHA-256`. */
export type ObservableType = keyof typeof OBSERVABLE_UPLOAD_FORMATS;

/** The `format` of a Sekoia.io upload batch; every value of a batch shares it. */
export type UploadFormat = (typeof OBSERVABLE_UPLOAD_FORMATS)[ObservableType];

/** One value ready for the IOC collection. */
export interface Indicator {
  /** Normalised, printable ASCII, never empty: one line of the upload. */
  readonly value: string;
  readonly observable: ObservableType;
  readonly format: UploadFormat;
}

export function makeIndicator(value: string, observable: ObservableType): Indicator {
  return { value, observable, format: OBSERVABLE_UPLOAD_FORMATS[observable] };
}
