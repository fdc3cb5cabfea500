import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock, Logger, LogLevel } from '@sekoia/automation-sdk-shim';
import type { MispClient, MispPage } from '../../misp_modules/misp/misp-client.js';

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
export const sharedFixture = (relative: string): string => path.resolve(repositoryRoot, '../shared/fixtures', relative);
export const readJsonFixture = <T>(relative: string): T => JSON.parse(readFileSync(sharedFixture(relative), 'utf8')) as T;

/** A key shaped like a real MISP auth key (40 characters), easy to spot if it leaks. */
export const API_KEY = 'Zq8sEcReTKeY0123456789abcdefghijklmnopqr';

/** Time that only moves when the code under test sleeps; every sleep is recorded. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  /** Called on every sleep, e.g. to abort in the middle of a wait. */
  onSleep: ((ms: number) => void) | undefined;

  constructor(public nowMs = Date.UTC(2025, 0, 15, 12, 0, 0)) {}

  now(): number {
    return this.nowMs;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    this.onSleep?.(ms);
    if (signal?.aborted) return;
    this.nowMs += ms;
  }
}

export class RecordingLogger implements Logger {
  readonly lines: { message: string; level: LogLevel }[] = [];

  log(message: string, level: LogLevel = 'info'): void {
    this.lines.push({ message, level });
  }

  at(level: LogLevel): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

/** Reads a whole search into an array of pages. */
export async function allPages(pages: AsyncIterable<MispPage>): Promise<MispPage[]> {
  const seen: MispPage[] = [];
  for await (const page of pages) seen.push(page);
  return seen;
}

/** The error a search ends with; fails the test when the search ends without one. */
export async function searchError(client: MispClient, pageSize = 100, signal?: AbortSignal): Promise<Error> {
  try {
    await allPages(client.searchAttributes({ publishedSince: 1_700_000_000, pageSize }, signal));
  } catch (error) {
    return error as Error;
  }
  throw new Error('the search ended without an error');
}

/** Everything an operator could see: message, stack, enumerable fields, and the log lines. */
export function visibleText(error: Error | undefined, logger: RecordingLogger): string {
  const parts = logger.lines.map((line) => line.message);
  if (error) parts.push(error.message, String(error.stack), JSON.stringify(error));
  return parts.join('\n');
}
