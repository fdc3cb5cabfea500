import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createActionTestRuntime } from '@sekoia/automation-sdk-shim/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISH_EVENT_COMMAND, PublishEventAction } from '../../misp_modules/actions/publish-event.js';
import { moduleRoot } from '../../misp_modules/configuration/module-root.js';
import { startMispEventServer, type MispEventServer } from '../../misp_modules/dev/demo-misp-event-server.js';

const KEY = 'misp-publish-key-7a0c93e1';
let misp: MispEventServer;

beforeAll(async () => {
  misp = await startMispEventServer(KEY);
});
afterAll(async () => {
  await misp.close();
});

function runtime(account: Record<string, unknown> = { misp_url: misp.url, misp_api_key: KEY }) {
  return createActionTestRuntime(PublishEventAction, { root: moduleRoot(), command: PUBLISH_EVENT_COMMAND, moduleConfiguration: account });
}

const phishing = {
  Event: {
    uuid: '3e4b8a10-6c2d-4f5e-9a1b-7c8d9e0f1a2b',
    info: 'Phishing wave against the finance team',
    date: '2026-11-28',
    Attribute: [{ type: 'domain', category: 'Network activity', value: 'invoice-portal.example', to_ids: true }],
  },
};

describe('Publish Event', () => {
  it('creates the event with the account key and returns MISP\'s copy inline', async () => {
    const report = await runtime().run({ event: phishing });
    expect(report.error).toBeUndefined();
    const request = misp.requests.at(-1);
    expect(request).toMatchObject({ method: 'POST', path: '/events/add' });
    expect(request?.headers).toMatchObject({ authorization: KEY, accept: 'application/json', 'content-type': 'application/json' });
    expect(request?.body).toEqual(phishing);
    expect(report.results).toEqual({ event: { Event: misp.events.at(-1) } });
    expect((report.results as { event: { Event: { id: string } } }).event.Event.id).toBe(String(misp.events.length));
    expect(report.logs.map((line) => line.message)).toContain(
      `MISP created event ${misp.events.length} (uuid 3e4b8a10-6c2d-4f5e-9a1b-7c8d9e0f1a2b) with 1 attributes and 0 objects`,
    );
  });

  it('reads the event from a file of the data folder and answers with a file', async () => {
    const action = runtime();
    writeFileSync(join(action.dataPath, 'event.json'), JSON.stringify({ info: 'Bare event from a file' }));
    const report = await action.run({ event_path: 'event.json' });
    expect(misp.requests.at(-1)?.body).toEqual({ Event: { info: 'Bare event from a file' } });
    const file = (report.results as { event_path: string }).event_path;
    expect(file).toMatch(/^event-[0-9a-f-]{36}\.json$/);
    expect(JSON.parse(readFileSync(join(action.dataPath, file), 'utf8'))).toMatchObject({ Event: { info: 'Bare event from a file' } });
  });

  it("fails with MISP's reason when MISP refuses the event, field errors included", async () => {
    const refused = await runtime().run({ event: { Event: { info: '' , Attribute: [] } } });
    expect(refused.error).toBe('The event given to the action has no "info" (the event\'s title, which MISP requires).');
    const duplicate = await runtime().run({ event: phishing });
    expect(duplicate.results).toBeUndefined();
    expect(duplicate.error).toBe(
      `MISP at ${misp.url.replace('http://', '')} refused POST /events/add with HTTP 403: Event already exists, if you would like to edit it, use the url in the location header.`,
    );
  });

  it('turns a JSON error body, whatever its status, into an action error', async () => {
    misp.faults.push({ path: '/events/add', status: 403, body: { saved: false, name: 'Could not add Event', message: 'Could not add Event', url: '/events/add', errors: { Event: { date: ['Date is invalid.'], info: ['Info is too long.'] } } } });
    misp.faults.push({ path: '/events/add', status: 200, body: { errors: ['Distribution level not allowed.'] } });
    misp.faults.push({ path: '/events/add', status: 500, body: '<html><title>500 Internal Server Error</title></html>' });
    const host = misp.url.replace('http://', '');
    const errors = [];
    for (let i = 0; i < 3; i++) errors.push((await runtime().run({ event: { Event: { info: `attempt ${i}` } } })).error);
    expect(errors).toEqual([
      `MISP at ${host} refused POST /events/add with HTTP 403: Could not add Event; Event.date: Date is invalid.; Event.info: Info is too long.`,
      `MISP at ${host} refused POST /events/add with HTTP 200: Distribution level not allowed.`,
      `MISP at ${host} refused POST /events/add with HTTP 500: an HTML page titled "500 Internal Server Error".`,
    ]);
  });

  it('says which key is wrong, and never shows it', async () => {
    const report = await runtime({ misp_url: misp.url, misp_api_key: 'wrong-key-0000' }).run({ event: phishing });
    expect(report.error).toMatch(/refused the API key \(HTTP 403: Authentication failed.*Check the misp_api_key/);
    expect(JSON.stringify(report)).not.toContain('wrong-key-0000');
  });

  it('needs misp_url and misp_api_key, and an event', async () => {
    expect((await runtime({}).run({ event: phishing })).error).toBe(
      'Invalid configuration (2 problems): In the module configuration, misp_url is missing; it is required to create events in MISP, for example "https://misp.example.org". ' +
        'In the module configuration, misp_api_key is missing; it is required to create events in MISP: the authentication key of a MISP user (MISP: My Profile > Auth keys).',
    );
    expect((await runtime().run({})).error).toMatch(/^The action needs the argument "event"/);
    expect((await runtime().run({ event: [1] })).error).toBe("Invalid configuration (1 problem): In the action's arguments, event is [1]; expected a JSON object.");
  });

  it('reports an unreachable MISP', async () => {
    const report = await runtime({ misp_url: 'http://127.0.0.1:9', misp_api_key: KEY }).run({ event: phishing });
    expect(report.error).toMatch(/^MISP at 127\.0\.0\.1:9 could not be reached \(ECONNREFUSED/);
  });
});
