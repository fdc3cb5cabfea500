import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOOK_BACK_SECONDS, PublishedEventCursor, SENT_JOURNAL_FILE, publicationKey } from '../../misp_modules/new-event/published-event-cursor.js';
import { RecordingLogger } from '../support/recording.js';

const T = 1_764_417_600;

describe('PublishedEventCursor', () => {
  it('starts at the given time on a fresh data path, and remembers sent publications across a reload', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'cursor-'));
    const cursor = await PublishedEventCursor.load(dataPath, T, new RecordingLogger());
    expect(cursor.publishedSince).toBe(T);
    await cursor.markSent(publicationKey('e-1', T + 5));
    await cursor.markSent(publicationKey('e-2', T + 9));
    await cursor.close();
    // A crash in the middle of an append leaves a line cut short: it is ignored.
    appendFileSync(path.join(dataPath, SENT_JOURNAL_FILE), '"e-3@17644');

    const reloaded = await PublishedEventCursor.load(dataPath, T + 1_000, new RecordingLogger());
    expect(reloaded.publishedSince).toBe(T);
    expect(reloaded.remembered).toBe(2);
    expect(reloaded.wasSent(publicationKey('e-1', T + 5))).toBe(true);
    expect(reloaded.wasSent(publicationKey('e-1', T + 6))).toBe(false);
    await reloaded.close();
  });

  it('moves to the latest publish time less the look-back, forgets what lies before, and empties the journal', async () => {
    const dataPath = mkdtempSync(path.join(tmpdir(), 'cursor-'));
    const cursor = await PublishedEventCursor.load(dataPath, T, new RecordingLogger());
    await cursor.markSent(publicationKey('old', T + 10));
    await cursor.markSent(publicationKey('recent', T + LOOK_BACK_SECONDS + 50));
    await cursor.advance(T + LOOK_BACK_SECONDS + 50);
    expect(cursor.publishedSince).toBe(T + 50);
    expect(cursor.remembered).toBe(1);
    expect(readFileSync(path.join(dataPath, SENT_JOURNAL_FILE), 'utf8')).toBe('');
    await cursor.advance(T);
    expect(cursor.publishedSince).toBe(T + 50);
    await cursor.close();

    const reloaded = await PublishedEventCursor.load(dataPath, T + 9_999, new RecordingLogger());
    expect(reloaded.publishedSince).toBe(T + 50);
    expect(reloaded.wasSent(publicationKey('recent', T + LOOK_BACK_SECONDS + 50))).toBe(true);
    expect(reloaded.wasSent(publicationKey('old', T + 10))).toBe(false);
    await reloaded.close();
  });
});
