import type { ExpiryOutcome } from '../expiry/indicator-expiry.js';
import type { CycleReport } from '../pipeline/sync-cycle.js';

const numbers = new Intl.NumberFormat('en-US');
const count = (n: number): string => numbers.format(n);

/** The one summary line of a cycle, with the numbers an operator looks for. */
export function describeCycle(cycle: number, report: CycleReport, durationSeconds: number, warninglisted: ReadonlyMap<string, number> = new Map()): string {
  return (
    `Cycle ${cycle}: ${count(report.attributesFetched)} attributes fetched, ` +
    `${count(report.iocsSubmitted)} new IOCs pushed in ${count(report.batchesSubmitted)} batches, ` +
    `${count(report.iocsInvalid)} invalid skipped, ${count(report.alreadyDelivered)} already delivered, ` +
    `${count(report.unsupported)} of unsupported types, ${count(report.iocsFailed)} failed (${durationSeconds.toFixed(1)} s)` +
    describeWarninglisted(warninglisted) +
    describeDecayed(report)
  );
}

/** `; 40 decayed skipped ("Model A" 30, "Model B" 10)`, or nothing without decaying models. */
function describeDecayed(report: CycleReport): string {
  const models = Object.entries(report.decay ?? {}).filter(([, counts]) => counts.decayed > 0);
  if (models.length === 0) return '';
  const total = models.reduce((sum, [, counts]) => sum + counts.decayed, 0);
  return `; ${count(total)} decayed skipped (${models.map(([name, counts]) => `"${escapeForLog(name)}" ${count(counts.decayed)}`).join(', ')})`;
}

/** `; 12 left out by warninglists ("List A" 10, "List B" 2)`, or nothing when none was. */
function describeWarninglisted(warninglisted: ReadonlyMap<string, number>): string {
  const lists = [...warninglisted].filter(([, n]) => n > 0).sort(([, a], [, b]) => b - a);
  if (lists.length === 0) return '';
  const total = lists.reduce((sum, [, n]) => sum + n, 0);
  return `; ${count(total)} left out by warninglists (${lists.map(([name, n]) => `"${escapeForLog(name)}" ${count(n)}`).join(', ')})`;
}

/** The line a long cycle logs every so often: what it did so far and the push pace. */
export function describeProgress(cycle: number, elapsedSeconds: number, report: Readonly<CycleReport>, requestsPerSecond: number): string {
  const skipped = report.iocsInvalid + report.unsupported + report.alreadyDelivered;
  return (
    `Cycle ${cycle} in progress (${elapsedSeconds.toFixed(0)} s): ${count(report.attributesFetched)} attributes fetched, ` +
    `${count(report.iocsSubmitted)} IOCs pushed, ${count(skipped)} skipped (${count(report.iocsInvalid)} invalid, ` +
    `${count(report.alreadyDelivered)} already delivered, ${count(report.unsupported)} unsupported), ` +
    `${count(report.iocsFailed)} failed; pushing at ${requestsPerSecond >= 10 ? requestsPerSecond.toFixed(0) : requestsPerSecond.toFixed(1)} requests/s`
  );
}

/** What expiry did in a cycle; undefined when it did nothing worth a line. */
export function describeExpiry(cycle: number, outcome: ExpiryOutcome | undefined): string | undefined {
  if (outcome === undefined || outcome.refreshed + outcome.withdrawn + outcome.failed === 0) return undefined;
  return `Cycle ${cycle}: ${outcome.refreshed} IOCs refreshed before they lapse, ${outcome.withdrawn} withdrawn from the collection, ${outcome.failed} not accepted.`;
}

const EXAMPLE_LENGTH = 80;

/** One warning for all the invalid values of a cycle, quoting a few; values are escaped so none can forge a log line. */
export function describeInvalid(cycle: number, report: CycleReport): string {
  const examples = report.invalidExamples
    .map(({ type, value, reason }) => {
      const shown = value.length > EXAMPLE_LENGTH ? `${value.slice(0, EXAMPLE_LENGTH)}…` : value;
      return `${type} "${escapeForLog(shown)}" (${reason})`;
    })
    .join('; ');
  return `Cycle ${cycle}: ${count(report.iocsInvalid)} invalid values skipped, e.g. ${examples}`;
}

/** Every character outside printable ASCII as \uXXXX: a quoted value can neither break nor disguise a log line. */
function escapeForLog(value: string): string {
  return value.replace(/[^\x20-\x7e]|["\\]/g, (character) =>
    character === '"' || character === '\\' ? `\\${character}` : `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
