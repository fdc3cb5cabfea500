import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StateFile, type StateFileSystem } from '@sekoia/automation-sdk-shim';
import { createTestRuntime, FailingFileSystem, FakeClock, type TestRuntime } from '@sekoia/automation-sdk-shim/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { CURSOR_FILE, SENT_JOURNAL_FILE } from '../../misp_modules/new-event/published-event-cursor.js';
import { NEW_EVENT_COMMAND, NewEventTrigger } from '../../misp_modules/new-event/new-event-trigger.js';
import { startMispEventServer, type MispEvent, type MispEventServer } from '../../misp_modules/dev/demo-misp-event-server.js';

const KEY = 'misp-new-event-key-0b7e2c4d9a1f';
const START_MS = Date.UTC(2026, 10, 29, 12, 0, 0);
const START_S = START_MS / 1000;

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});

async function misp(): Promise<MispEventServer> {
  const server = await startMispEventServer(KEY);
  open.push(() => server.close());
  return server;
}

let serial = 0;
/** A published event written for these tests; uuids are made from a counter so that they read well in failures. */
function published(server: MispEventServer, publishedAt: number, fields: Partial<MispEvent> = {}): MispEvent {
  serial += 1;
  const event: MispEvent = {
    id: String(serial),
    uuid: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    info: `Event ${serial}`,
    published: true,
    publish_timestamp: String(publishedAt),
    timestamp: String(publishedAt),
    Attribute: [],
    Object: [],
    ...fields,
  };
  server.events.push(event);
  return event;
}

interface Running {
  runtime: TestRuntime<NewEventTrigger>;
  clock: FakeClock;
  done: Promise<void>;
  untilPolls(count: number): Promise<void>;
  pollLogs(): string[];
}

function start(
  server: MispEventServer,
  options: { dataPath?: string; startMs?: number; configuration?: Record<string, unknown>; account?: Record<string, unknown>; stateFileSystem?: StateFileSystem } = {},
): Running {
  const clock = new FakeClock(options.startMs ?? START_MS);
  const runtime = createTestRuntime(NewEventTrigger, {
    root: moduleRoot(),
    command: NEW_EVENT_COMMAND,
    clock,
    dataPath: options.dataPath ?? mkdtempSync(path.join(tmpdir(), 'new-event-')),
    moduleConfiguration: { misp_url: server.url, misp_api_key: KEY, ...options.account },
    configuration: { sleep_time: 60, ...options.configuration },
    ...(options.stateFileSystem === undefined ? {} : { stateFileSystem: options.stateFileSystem }),
  });
  const done = runtime.run();
  open.push(() => runtime.stop());
  const pollLogs = (): string[] => runtime.logs.map((entry) => entry.message).filter((message) => /^Poll \d+(:| failed)/.test(message));
  return {
    runtime,
    clock,
    done,
    pollLogs,
    async untilPolls(count) {
      const deadline = Date.now() + 15_000;
      while (pollLogs().length < count) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for poll ${count}: ${JSON.stringify(runtime.logs.slice(-5))}`);
        if (clock.pendingSleeps > 0) await clock.advanceToNext();
        else await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await Promise.race([clock.whenSleeping(), done]);
    },
  };
}

const sentUuids = (running: Running): string[] => running.runtime.events.map((event) => (event.event as { event: { Event: { uuid: string } } }).event.Event.uuid);

describe('New Event', () => {
  it('sends each event published after the start once, named after its info, with the whole event', async () => {
    const server = await misp();
    published(server, START_S - 3_600);
    const t = start(server);
    await t.untilPolls(1);
    expect(t.runtime.events).toEqual([]);
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/events/restSearch' });
    expect(server.requests[0]?.headers.authorization).toBe(KEY);
    expect(server.requests[0]?.body).toEqual({ returnFormat: 'json', published: 1, publish_timestamp: START_S, page: 1, limit: 50 });

    const fresh = published(server, START_S + 30, { info: 'Ransomware C2 infrastructure', Attribute: [{ uuid: 'a-1', type: 'ip-dst', value: '203.0.113.9', timestamp: String(START_S + 20) }] });
    await t.untilPolls(3);
    expect(t.runtime.events).toEqual([{ name: 'Ransomware C2 infrastructure', event: { event: { Event: fresh } } }]);
  });

  it('neither loses nor repeats an event across a restart', async () => {
    const server = await misp();
    const dataPath = mkdtempSync(path.join(tmpdir(), 'new-event-'));
    const first = start(server, { dataPath });
    await first.untilPolls(1);
    const a = published(server, START_S + 10);
    await first.untilPolls(2);
    await first.runtime.stop();
    expect(sentUuids(first)).toEqual([a.uuid]);

    const b = published(server, START_S + 200);
    const second = start(server, { dataPath, startMs: START_MS + 600_000 });
    await second.untilPolls(2);
    expect(sentUuids(second)).toEqual([b.uuid]);
    expect(existsSync(path.join(dataPath, CURSOR_FILE))).toBe(true);
  });

  it('reads every page, and after a failed page sends only what was not sent yet', async () => {
    const server = await misp();
    const t = start(server);
    await t.untilPolls(1);
    const events = Array.from({ length: 120 }, (_, index) => published(server, START_S + 1 + index));
    server.faults.push({ path: '/events/restSearch', status: 500, body: { name: 'An Internal Error Has Occurred.', message: 'An Internal Error Has Occurred.', url: '/events/restSearch' }, times: 1 });
    // The fault answers the second poll's first page: nothing sent, then the third poll reads all three pages.
    await t.untilPolls(3);
    expect(t.pollLogs()[1]).toMatch(/^Poll 2 failed, the events not yet sent are tried again at the next poll: MISP at .* refused POST \/events\/restSearch with HTTP 500: An Internal Error Has Occurred\.$/);
    expect(sentUuids(t).sort()).toEqual(events.map((event) => event.uuid).sort());
    const pages = server.requests.slice(-3).map((request) => (request.body as { page: number }).page);
    expect(pages).toEqual([1, 2, 3]);

    // A failure on page 4 of a later poll: page 3 holds 30 of the new events, sent then and never again.
    const more = Array.from({ length: 60 }, (_, index) => published(server, START_S + 500 + index));
    server.faults.push({ path: '/events/restSearch', times: 3 }, { path: '/events/restSearch', reset: true, times: 1 });
    const before = t.runtime.events.length;
    await t.untilPolls(5);
    expect(t.pollLogs()[3]).toMatch(/^Poll 4 failed, .*could not be reached/);
    expect(t.pollLogs()[4]).toMatch(/^Poll 5: 180 events published since .*, 30 sent, 150 already sent$/);
    expect(t.runtime.events.length - before).toBe(60);
    expect(sentUuids(t).slice(before).sort()).toEqual(more.map((event) => event.uuid).sort());
    expect(new Set(sentUuids(t)).size).toBe(sentUuids(t).length);
  });

  it('sends an event again when MISP publishes it again', async () => {
    const server = await misp();
    const t = start(server);
    await t.untilPolls(1);
    const event = published(server, START_S + 10);
    await t.untilPolls(2);
    event.publish_timestamp = String(START_S + 90);
    event.info = 'Event republished with a new attribute';
    await t.untilPolls(4);
    expect(t.runtime.events.map((sent) => sent.name)).toEqual([`Event ${event.id}`, 'Event republished with a new attribute']);
  });

  it('does not let a publish time in the future carry the cursor past events published meanwhile', async () => {
    const server = await misp();
    const t = start(server);
    await t.untilPolls(1);
    published(server, START_S + 86_400);
    await t.untilPolls(2);
    const meanwhile = published(server, START_S + 100);
    await t.untilPolls(3);
    expect(sentUuids(t)).toContain(meanwhile.uuid);
    expect(t.runtime.events).toHaveLength(2);
  });

  it('with attributes_filter, sends only recent attributes not sent before, with the external analysis as context', async () => {
    const server = await misp();
    // As a string of digits, the form the Python module's configurations hold.
    const t = start(server, { configuration: { attributes_filter: '3600' } });
    await t.untilPolls(1);
    const recent = { uuid: 'attr-recent', type: 'domain', category: 'Network activity', value: 'fresh.example', timestamp: String(START_S - 60) };
    const old = { uuid: 'attr-old', type: 'domain', category: 'Network activity', value: 'stale.example', timestamp: String(START_S - 86_400) };
    const link = { uuid: 'attr-link', type: 'link', category: 'External analysis', value: 'https://report.example/ransom', timestamp: String(START_S - 86_400) };
    const object = { uuid: 'obj-recent', name: 'file', timestamp: String(START_S - 30), Attribute: [] };
    const event = published(server, START_S + 10, { Attribute: [recent, old, link], Object: [object] });
    await t.untilPolls(2);
    expect(t.runtime.events[0]?.event).toEqual({ event: { Event: { ...event, Attribute: [recent, link], Object: [object] } } });

    // Published again with nothing changed: nothing new, nothing sent.
    event.publish_timestamp = String(START_S + 100);
    await t.untilPolls(4);
    expect(t.runtime.events).toHaveLength(1);
    expect(t.pollLogs().filter((line) => /, 0 sent, 0 already sent, 1 without new attributes$/.test(line))).toHaveLength(1);
  });

  it('logs a refused key with MISP\'s message, never the key, and turns critical at the fifth failed poll', async () => {
    const server = await misp();
    const t = start(server, { account: { misp_api_key: 'a-wrong-misp-key-1234' } });
    await t.untilPolls(5);
    const errors = t.runtime.logs.filter((entry) => entry.level === 'error').map((entry) => entry.message);
    expect(errors[0]).toMatch(/refused the API key \(HTTP 403: Authentication failed/);
    const critical = t.runtime.logs.filter((entry) => entry.level === 'critical').map((entry) => entry.message);
    expect(critical).toHaveLength(1);
    expect(critical[0]).toMatch(/^The trigger failed 5 times in a row without completing a cycle; last error: poll 5: /);
    expect(t.runtime.health()).toMatchObject({ healthy: false, context: { successive_errors: 5 } });
    expect(JSON.stringify(t.runtime.logs)).not.toContain('a-wrong-misp-key-1234');
  });

  it('reads the 404 "No matches." of old MISP versions as no event, and a 404 of anything else as a failed poll', async () => {
    const server = await misp();
    server.faults.push({ path: '/events/restSearch', status: 404, body: { name: 'No matches.', message: 'No matches.', url: '/events/restSearch' } });
    server.faults.push({ path: '/events/restSearch', status: 404, body: '<html><title>Not Found</title></html>' });
    const t = start(server);
    await t.untilPolls(2);
    expect(t.pollLogs()[0]).toMatch(/^Poll 1: 0 events published since/);
    expect(t.pollLogs()[1]).toMatch(/^Poll 2 failed, .*refused POST \/events\/restSearch with HTTP 404: an HTML page titled "Not Found"\.$/);
  });

  it('refuses an attributes_filter that is not a number of seconds', async () => {
    const server = await misp();
    expect(() => start(server, { configuration: { attributes_filter: '1 day' } })).toThrow('Invalid configuration (1 problem): In the trigger configuration, attributes_filter is "1 day"; expected a value of at least 0 written like the example, for example 86400.');
    expect(() => start(server, { configuration: { attributes_filter: -5 } })).toThrow('Invalid configuration (1 problem): In the trigger configuration, attributes_filter is -5; expected a value of at least 0 written like the example, for example 86400.');
  });

  it('refuses to start without misp_url and misp_api_key, naming both', async () => {
    const server = await misp();
    expect(() => start(server, { account: { misp_url: undefined, misp_api_key: undefined } })).toThrow(
      'Invalid configuration (2 problems): In the module configuration, misp_url is missing; it is required to read events from MISP, for example "https://misp.example.org". ' +
        'In the module configuration, misp_api_key is missing; it is required to read events from MISP: the authentication key of a MISP user (MISP: My Profile > Auth keys).',
    );
  });
});

describe('New Event on a full data path', () => {
  const successiveErrors = (t: Running): number => t.runtime.health().context.successive_errors as number;

  it('fails the poll in one sentence when a sent event cannot be recorded, and sends it again after a restart rather than lose it', async () => {
    const server = await misp();
    const dataPath = mkdtempSync(path.join(tmpdir(), 'new-event-'));
    const fileSystem = new FailingFileSystem();
    const t = start(server, { dataPath, stateFileSystem: fileSystem });
    await t.untilPolls(1);
    const a = published(server, START_S + 10);
    fileSystem.failWrites({ code: 'ENOSPC', file: SENT_JOURNAL_FILE });
    await t.untilPolls(2);
    expect(t.pollLogs()[1]).toBe(
      `Poll 2 failed, the events not yet sent are tried again at the next poll: The data path is full: ${path.join(dataPath, SENT_JOURNAL_FILE)} could not be written (ENOSPC); its previous content is kept.`,
    );
    expect(successiveErrors(t)).toBe(1);
    fileSystem.heal();
    await t.untilPolls(3);
    expect(t.pollLogs()[2]).toMatch(/^Poll 3: /);
    expect(successiveErrors(t)).toBe(0);
    await t.runtime.stop();
    expect(sentUuids(t)).toEqual([a.uuid]);

    const restarted = start(server, { dataPath, startMs: START_MS + 120_000 });
    await restarted.untilPolls(1);
    expect(sentUuids(restarted)).toEqual([a.uuid]);
  });

  it('keeps the old cursor when it cannot be written, and writes it at the next poll once space returns', async () => {
    const server = await misp();
    const fileSystem = new FailingFileSystem();
    const t = start(server, { configuration: { sleep_time: 600 }, stateFileSystem: fileSystem });
    await t.untilPolls(1);
    const cursor = new StateFile(path.join(t.runtime.dataPath, CURSOR_FILE), { log: () => undefined });
    expect(await cursor.readJson()).toEqual({ since: START_S, sent: [] });
    published(server, START_S + 500);
    fileSystem.failWrites({ code: 'EROFS', file: CURSOR_FILE });
    await t.untilPolls(2);
    expect(t.pollLogs()[1]).toContain(`The data path is read-only: ${path.join(t.runtime.dataPath, CURSOR_FILE)} could not be written (EROFS); its previous content is kept.`);
    expect(successiveErrors(t)).toBe(1);
    expect(await cursor.readJson()).toEqual({ since: START_S, sent: [] });
    fileSystem.heal();
    await t.untilPolls(3);
    expect(successiveErrors(t)).toBe(0);
    expect(await cursor.readJson()).toMatchObject({ since: START_S + 200 });
    expect(t.runtime.events).toHaveLength(1);
  });
});
