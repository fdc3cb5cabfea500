/** The benchmark's outputs: a table for the terminal, the figures as JSON, a chart as SVG. */
import type { BenchCaseResult, CycleFigures } from './bench-case.js';
import { DECAY_VALID_FOR_DAYS, type DecayCycleFigures, type DecaySideBySide } from './decay-side-by-side.js';
import type { StateSaveFigures } from './state-save.js';

/** The issue's targets. */
export const TARGETS = {
  /** Wall seconds of the first cycle, by N. */
  wallSeconds: new Map([
    [100_000, 2],
    [1_000_000, 15],
  ]),
  /** Peak RSS of the trigger for N = 1,000,000. */
  peakRssBytes: 256 * 1024 * 1024,
  /** Steady-state bytes as a share of the first cycle's. */
  steadyBytesShare: 0.05,
  /** The delivered memory for a million attributes, in memory and in the data path. */
  stateBytes: 64 * 1024 * 1024,
  /** Longest hold of the event loop by a save: a save must not stall the cycle. */
  saveStallMs: 50,
  /** The decay case: the cycle with scores against the same cycle without them (the defaults), time and peak RSS. */
  decayTimeRatio: 1.5,
  decayRssRatio: 1.2,
} as const;

export interface TargetCheck {
  target: string;
  met: boolean;
  figure: string;
}

const MB = 1024 * 1024;
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const n = (value: number): string => integer.format(value);

export function checkTargets(results: readonly BenchCaseResult[], state?: StateSaveFigures): TargetCheck[] {
  const checks: TargetCheck[] = [];
  if (state !== undefined) {
    const label = `State of ${n(state.entries)} delivered attributes`;
    checks.push({ target: `${label}: at most 64 MB in memory`, met: state.memoryBytes <= TARGETS.stateBytes, figure: `${(state.memoryBytes / MB).toFixed(1)} MB` });
    checks.push({ target: `${label}: at most 64 MB in the data path`, met: state.fileBytes <= TARGETS.stateBytes, figure: `${(state.fileBytes / MB).toFixed(1)} MB` });
    checks.push({
      target: `${label}: saving holds the event loop at most ${TARGETS.saveStallMs} ms`,
      met: state.longestStallMs <= TARGETS.saveStallMs,
      figure: `${state.longestStallMs.toFixed(1)} ms longest, ${(state.saveSeconds * 1000).toFixed(0)} ms in all`,
    });
  }
  for (const result of results) {
    const { first, steady } = result;
    const label = `N = ${n(result.idsAttributes)}`;
    checks.push({ target: `${label}: all expected IOCs delivered`, met: first.correct, figure: `${n(first.iocsDelivered)} / ${n(first.iocsExpected)}${first.problems.length ? ` (${first.problems.join('; ')})` : ''}` });
    const wallTarget = TARGETS.wallSeconds.get(result.idsAttributes);
    if (wallTarget !== undefined) {
      checks.push({ target: `${label}: cycle in at most ${wallTarget} s`, met: first.wallSeconds <= wallTarget, figure: `${first.wallSeconds.toFixed(2)} s` });
    }
    if (result.idsAttributes === 1_000_000) {
      checks.push({ target: `${label}: peak RSS at most 256 MB`, met: first.peakRssBytes <= TARGETS.peakRssBytes, figure: `${(first.peakRssBytes / MB).toFixed(0)} MB` });
    }
    if (steady) {
      const share = steady.mispBytes / Math.max(1, first.mispBytes);
      checks.push({ target: `${label}, steady state: at most 5% of the first cycle's bytes`, met: share <= TARGETS.steadyBytesShare, figure: `${(share * 100).toFixed(2)}%` });
      checks.push({ target: `${label}, steady state: only the changed values pushed`, met: steady.correct, figure: `${n(steady.iocsDelivered)} / ${n(steady.iocsExpected)}${steady.problems.length ? ` (${steady.problems.join('; ')})` : ''}` });
    }
  }
  return checks;
}

function row(figures: CycleFigures): string[] {
  return [
    figures.cycle === 'first' ? n(figures.idsAttributes) : `${n(figures.idsAttributes)} steady`,
    figures.wallSeconds.toFixed(2),
    n(figures.attributesPerSecond),
    (figures.peakRssBytes / MB).toFixed(0),
    n(figures.mispRequests),
    (figures.mispBytes / MB).toFixed(1),
    n(figures.sekoiaRequests),
    `${n(figures.iocsDelivered)} / ${n(figures.iocsExpected)}${figures.correct ? '' : ' ✗'}`,
  ];
}

export function formatTable(results: readonly BenchCaseResult[]): string {
  const header = ['N (IDS attributes)', 'wall s', 'attributes/s', 'peak RSS MB', 'MISP req', 'MISP MB', 'Sekoia req', 'IOCs delivered / expected'];
  const rows = results.flatMap((result) => [row(result.first), ...(result.steady ? [row(result.steady)] : [])]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const DECAY_LABELS: Record<DecayCycleFigures['variant'], string> = {
  plain: 'without scores, the defaults (expiry fixed, no valid_for)',
  'valid-for': `without scores, expiry fixed, valid_for ${DECAY_VALID_FOR_DAYS}`,
  scored: 'with scores, expiry decaying_model',
};

/**
 * The decay case: the same N without scores (at the defaults, then with valid_for) and with them,
 * one row each: medians, the spread of the rounds, and the ratios of the scored cycle to each.
 */
export function formatDecayTable(result: DecaySideBySide): string {
  const header = ['N (IDS attributes)', 'cycle s', 'runs s', 'peak RSS MB', 'runs MB', 'fetched', 'time ×', 'RSS ×'];
  const spread = (values: number[], format: (value: number) => string): string => `${format(Math.min(...values))}–${format(Math.max(...values))}`;
  const rows = [result.plain, result.validFor, result.scored].map((figures) => [
    `${n(result.idsAttributes)} ${DECAY_LABELS[figures.variant]}`,
    figures.seconds.toFixed(2),
    spread(figures.runs.map((run) => run.seconds), (value) => value.toFixed(2)),
    (figures.peakRssBytes / MB).toFixed(0),
    spread(figures.runs.map((run) => run.peakRssBytes / MB), (value) => value.toFixed(0)),
    n(figures.attributesFetched),
    figures.variant === 'scored' ? `${result.timeRatio.toFixed(2)} / ${result.validForTimeRatio.toFixed(2)}` : '-',
    figures.variant === 'scored' ? `${result.rssRatio.toFixed(2)} / ${result.validForRssRatio.toFixed(2)}` : '-',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => (cells[column] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
    '',
    `Medians of ${result.rounds} rounds, the variants taking turns; ratios: with scores / without at the defaults, and / without with valid_for.`,
    'The targets compare with the defaults: the issue asks for the same cycle without the scores, and at the defaults',
    'a cycle without scores keeps no expiry schedule. The valid_for row shows what the scores add to the same expiry work.',
  ].join('\n');
}

/** The issue's targets for the decay case, against the cycle without scores at the defaults. */
export function checkDecayTargets(result: DecaySideBySide): TargetCheck[] {
  const label = `N = ${n(result.idsAttributes)} with decay scores, against the same cycle without them (the defaults)`;
  return [
    {
      target: `${label}: cycle within ${TARGETS.decayTimeRatio}×`,
      met: result.timeRatio <= TARGETS.decayTimeRatio,
      figure: `${result.timeRatio.toFixed(2)}× (${result.scored.seconds.toFixed(2)} s / ${result.plain.seconds.toFixed(2)} s)`,
    },
    {
      target: `${label}: peak RSS within ${TARGETS.decayRssRatio}×`,
      met: result.rssRatio <= TARGETS.decayRssRatio,
      figure: `${result.rssRatio.toFixed(2)}× (${(result.scored.peakRssBytes / MB).toFixed(0)} MB / ${(result.plain.peakRssBytes / MB).toFixed(0)} MB)`,
    },
  ];
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  return checks.map((check) => `${check.met ? 'met    ' : 'MISSED '} ${check.target}: ${check.figure}`).join('\n');
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Two panels against N on a logarithmic axis: the cycle's wall time and the trigger's peak RSS,
 * with the targets drawn as dashed lines.
 */
export function renderChart(results: readonly BenchCaseResult[]): string {
  const points = results.map((result) => ({ n: result.idsAttributes, seconds: result.first.wallSeconds, rssMb: result.first.peakRssBytes / MB }));
  const width = 840;
  const height = 320;
  const panel = { width: 300, height: 200, top: 60 };
  const lefts = [70, 480];
  const ns = points.map((point) => point.n);
  const minLog = Math.floor(Math.log10(Math.min(...ns, 10_000)));
  const maxLog = Math.ceil(Math.log10(Math.max(...ns, 1_000_000)));
  const x = (left: number, value: number): number => left + ((Math.log10(value) - minLog) / Math.max(1, maxLog - minLog)) * panel.width;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">MISP IDS attributes → IOC collection at the defaults: one cycle, by N</text>`);
  const panels = [
    { title: 'Cycle wall time (s)', values: points.map((point) => point.seconds), decimals: 2, targets: [...TARGETS.wallSeconds].map(([tn, seconds]) => ({ n: tn, value: seconds })), colour: '#1f77b4' },
    { title: 'Peak RSS of the trigger (MB)', values: points.map((point) => point.rssMb), decimals: 0, targets: [{ n: 1_000_000, value: TARGETS.peakRssBytes / MB }], colour: '#d62728' },
  ];
  panels.forEach((spec, index) => {
    const left = lefts[index] as number;
    const top = panel.top;
    const bottom = top + panel.height;
    const maxValue = Math.max(...spec.values, ...spec.targets.map((target) => target.value)) * 1.15 || 1;
    const y = (value: number): number => bottom - (value / maxValue) * panel.height;
    parts.push(`<text x="${left + panel.width / 2}" y="${top - 12}" text-anchor="middle" font-weight="bold">${escape(spec.title)}</text>`);
    parts.push(`<line x1="${left}" y1="${bottom}" x2="${left + panel.width}" y2="${bottom}" stroke="#333"/>`);
    parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`);
    for (let exponent = minLog; exponent <= maxLog; exponent++) {
      const value = 10 ** exponent;
      parts.push(`<line x1="${x(left, value)}" y1="${bottom}" x2="${x(left, value)}" y2="${bottom + 5}" stroke="#333"/>`);
      parts.push(`<text x="${x(left, value)}" y="${bottom + 18}" text-anchor="middle">${escape(n(value))}</text>`);
    }
    for (let step = 0; step <= 4; step++) {
      const value = (maxValue / 4) * step;
      parts.push(`<line x1="${left - 5}" y1="${y(value)}" x2="${left + panel.width}" y2="${y(value)}" stroke="#eee"/>`);
      parts.push(`<text x="${left - 8}" y="${y(value) + 4}" text-anchor="end">${value >= 10 ? value.toFixed(0) : value.toFixed(1)}</text>`);
    }
    parts.push(`<text x="${left + panel.width / 2}" y="${bottom + 36}" text-anchor="middle">IDS attributes (N, log scale)</text>`);
    for (const target of spec.targets) {
      const tx = x(left, target.n);
      parts.push(`<line x1="${tx - 18}" y1="${y(target.value)}" x2="${tx + 18}" y2="${y(target.value)}" stroke="#2ca02c" stroke-width="2" stroke-dasharray="4 3"/>`);
      // Left of its mark and above it, so that it never covers a measured point or leaves the panel.
      parts.push(`<text x="${tx - 22}" y="${y(target.value) - 4}" text-anchor="end" fill="#2ca02c">target ${target.value}</text>`);
    }
    const path = points.map((point, i) => `${i === 0 ? 'M' : 'L'}${x(left, point.n).toFixed(1)},${y(spec.values[i] as number).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${spec.colour}" stroke-width="2"/>`);
    points.forEach((point, i) => {
      const value = spec.values[i] as number;
      parts.push(`<circle cx="${x(left, point.n).toFixed(1)}" cy="${y(value).toFixed(1)}" r="4" fill="${spec.colour}"/>`);
      const last = i === points.length - 1;
      const px = x(left, point.n) + (last ? -8 : 8);
      // Below the point, unless that would reach the axis labels.
      const py = value < maxValue * 0.15 ? y(value) - 8 : y(value) + 16;
      parts.push(`<text x="${px.toFixed(1)}" y="${py.toFixed(1)}" text-anchor="${last ? 'end' : 'start'}">${value.toFixed(spec.decimals)}</text>`);
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
