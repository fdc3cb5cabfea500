import type { CycleReport } from '../pipeline/sync-cycle.js';

const numbers = new Intl.NumberFormat('en-US');
const count = (n: number): string => numbers.format(n);

/** The one summary line of a cycle, with the numbers an operator looks for. */
export function describeCycle(cycle: number, report: CycleReport, durationSeconds: number): string {
  return (
    `Cycle ${cycle}: ${count(report.attributesFetched)} attributes fetched, ` +
    `${count(report.iocsSubmitted)} new IOCs pushed in ${count(report.batchesSubmitted)} batches, ` +
    `${count(report.iocsInvalid)} invalid skipped, ${count(report.alreadyDelivered)} already delivered, ` +
    `${count(report.unsupported)} of unsupported types, ${count(report.iocsFailed)} failed (${durationSeconds.toFixed(1)} s)`
  );
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
