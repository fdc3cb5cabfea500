/**
 * What an IOC collection accepted, by Sekoia.io observable type, in the one greppable line that
 * `npm run trigger:dev` ends with (`Summary: 178 IOCs in the collection: 39 ipv4-addr.value, …`).
 */

/** One observable type of the summary. */
export interface ObservableCount {
  observable: string;
  count: number;
  /** The first values accepted, in arrival order. */
  examples: string[];
}

export interface CollectionSummary {
  total: number;
  /** In a fixed order (addresses, domains, URLs, hashes), then any other type by name; no empty type. */
  byObservable: ObservableCount[];
}

/** Every hash shares the `file.hashes` format; Sekoia.io tells them apart by length, and so does the summary. */
const HASH_BY_LENGTH: Readonly<Record<number, string>> = {
  32: 'file.hashes.MD5',
  40: 'file.hashes.SHA-1',
  64: 'file.hashes.SHA-256',
  128: 'file.hashes.SHA-512',
};

const ORDER = [
  'ipv4-addr.value',
  'ipv6-addr.value',
  'domain-name.value',
  'url.value',
  'file.hashes.MD5',
  'file.hashes.SHA-1',
  'file.hashes.SHA-256',
  'file.hashes.SHA-512',
];

/** The observable type of a value accepted under an upload `format`. */
export function observableOf(format: string, value: string): string {
  if (format !== 'file.hashes') return format;
  return HASH_BY_LENGTH[value.length] ?? format;
}

/** Counts the distinct values of each format (as the demo collection keeps them) by observable type. */
export function summariseAccepted(byFormat: ReadonlyMap<string, ReadonlySet<string>>, examplesPerType = 3): CollectionSummary {
  const groups = new Map<string, ObservableCount>();
  for (const [format, values] of byFormat) {
    for (const value of values) {
      const observable = observableOf(format, value);
      let group = groups.get(observable);
      if (!group) {
        group = { observable, count: 0, examples: [] };
        groups.set(observable, group);
      }
      group.count++;
      if (group.examples.length < examplesPerType) group.examples.push(value);
    }
  }
  const rank = (observable: string): number => {
    const index = ORDER.indexOf(observable);
    return index === -1 ? ORDER.length : index;
  };
  const byObservable = [...groups.values()]
    .filter((group) => group.count > 0)
    .sort((a, b) => rank(a.observable) - rank(b.observable) || a.observable.localeCompare(b.observable));
  return { total: byObservable.reduce((sum, group) => sum + group.count, 0), byObservable };
}

/**
 * `Summary: <total> IOCs <where>: <n> <type>, <n> <type>, …` on one line, or `… <where>.` when
 * empty. `where` is e.g. "in the collection" or "would be pushed".
 */
export function summaryLine(summary: CollectionSummary, where: string): string {
  const head = `Summary: ${summary.total} IOCs ${where}`;
  if (summary.byObservable.length === 0) return `${head}.`;
  return `${head}: ${summary.byObservable.map((group) => `${group.count} ${group.observable}`).join(', ')}`;
}

const EXAMPLE_WIDTH = 70;

/** One indented line per type with its first values, for a person to glance at. */
export function summaryDetails(summary: CollectionSummary): string[] {
  const width = Math.max(0, ...summary.byObservable.map((group) => group.observable.length));
  const countWidth = Math.max(0, ...summary.byObservable.map((group) => String(group.count).length));
  return summary.byObservable.map((group) => {
    const examples = group.examples.map((value) => (value.length > EXAMPLE_WIDTH ? `${value.slice(0, EXAMPLE_WIDTH)}…` : value));
    return `  ${String(group.count).padStart(countWidth)}  ${group.observable.padEnd(width)}  e.g. ${examples.join(', ')}`;
  });
}
