import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Action } from '../src/action/action.js';
import { runAction } from '../src/action/action-runner.js';
import { findAction, loadModuleDefinition } from '../src/module-definition.js';
import { Module } from '../src/module.js';
import { createActionTestRuntime } from '../src/testing/action-test-runtime.js';
import type { Clock } from '../src/types.js';
import { PlatformServer } from './helpers/platform-server.js';

const root = fileURLToPath(new URL('./fixtures/example-module/', import.meta.url));
const definition = loadModuleDefinition(root);
const action = findAction(definition, 'example-action');
const TOKEN = 'action-token-4e1a7c';
const SECRET = 'served-api-key-9d3b21';
/** Pauses of the callback's retries, recorded and skipped. */
const pauses: number[] = [];
const instantClock: Clock = { now: () => Date.UTC(2026, 0, 2, 3, 4, 5), sleep: async (ms) => void pauses.push(ms) };

/** Echoes `document` (inline or file) and logs the account key, which must never come out unredacted. */
class EchoAction extends Action<{ api_url: string; api_key: string }, { document?: object; document_path?: string; fail_with?: string; branch: string }> {
  async run(args: { fail_with?: string; branch: string } & Record<string, unknown>): Promise<Record<string, unknown>> {
    this.log(`Echoing with key ${this.moduleConfiguration.api_key}`);
    if (args.fail_with !== undefined) throw new (class EchoRefusedError extends Error {
      override name = 'EchoRefusedError';
    })(args.fail_with);
    const document = await this.jsonArgument('document', args);
    this.setOutput(args.branch, true);
    return this.jsonResult('document', document);
  }
}

class BrokenAction extends Action {
  async run(): Promise<Record<string, unknown>> {
    return (undefined as unknown as { field: Record<string, unknown> }).field;
  }
}

class UnserialisableAction extends Action {
  async run(): Promise<Record<string, unknown>> {
    return { document: { size: 10n } };
  }
}

let platform: PlatformServer;
let dataPath: string;

beforeEach(async () => {
  platform = await new PlatformServer('/api/v1/symphony/runs/7').start();
  dataPath = mkdtempSync(join(tmpdir(), 'action-runner-'));
  platform.responders.set('callback', (request) => {
    if (request.authorization !== `Bearer ${TOKEN}`) return { status: 401 };
    const body = JSON.parse(request.body) as { status: string };
    return body.status === 'running' ? { status: 200, body: { module_configuration: { value: { api_key: SECRET, api_url: 'https://ignored.example' } } } } : { status: 200 };
  });
});

afterEach(async () => {
  await platform.close();
});

function env(args: unknown, account: unknown = { api_url: 'https://service.example.org' }): NodeJS.ProcessEnv {
  return {
    SYMPHONY_VOLUME_PATH: mkdtempSync(join(tmpdir(), 'action-volume-')),
    SYMPHONY_DATA_PATH: dataPath,
    MODULE_CONFIGURATION: JSON.stringify(account),
    ARGUMENTS: Buffer.from(JSON.stringify(args)).toString('base64'),
    TOKEN,
    URL_CALLBACK: platform.callbackUrl,
  };
}

async function run(actionClass: typeof EchoAction | typeof BrokenAction, args: unknown, options: { account?: unknown; lines?: string[] } = {}): Promise<number> {
  return runAction({
    definition,
    action,
    actionClass,
    env: env(args, options.account),
    clock: instantClock,
    write: (line) => options.lines?.push(line),
    handleProcessSignals: false,
      });
}

function patches(): Array<Record<string, unknown>> {
  return platform.to('callback').map((request) => {
    expect(request.method).toBe('PATCH');
    return JSON.parse(request.body) as Record<string, unknown>;
  });
}

describe('runAction: the SDK wire protocol of an action', () => {
  it('asks for the secrets, runs with them merged, and reports results, logs and outputs', async () => {
    const lines: string[] = [];
    expect(await run(EchoAction, { document: { Event: { info: 'inline' } } }, { lines })).toBe(0);
    const [running, finished] = patches();
    expect(running).toEqual({ status: 'running', need_secrets: true });
    expect(finished).toMatchObject({ status: 'finished', results: { document: { Event: { info: 'inline' } } }, outputs: { echoed: true } });
    expect(finished).not.toHaveProperty('error');
    const logs = String(finished?.logs).split('\n');
    expect(logs).toContainEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z: info: Echoing with key \[REDACTED\]$/));
    expect(JSON.stringify(platform.requests) + lines.join('\n')).not.toContain(SECRET);
    expect(platform.requests.map((request) => request.body).join('\n') + lines.join('\n')).not.toContain(TOKEN);
  });

  it('only merges the secrets the manifest declares', async () => {
    let seenUrl: unknown;
    class UrlAction extends Action<{ api_url: string }> {
      async run(): Promise<undefined> {
        seenUrl = this.moduleConfiguration.api_url;
        return undefined;
      }
    }
    expect(await run(UrlAction as unknown as typeof EchoAction, {})).toBe(0);
    expect(seenUrl).toBe('https://service.example.org');
    expect(patches()[1]).not.toHaveProperty('results');
  });

  it('reads a `_path` argument from the data folder and writes the result there', async () => {
    writeFileSync(join(dataPath, 'in.json'), JSON.stringify({ Event: { info: 'from a file' } }));
    expect(await run(EchoAction, { document_path: 'in.json' })).toBe(0);
    const finished = patches()[1] as { results: { document_path: string } };
    expect(finished.results.document_path).toMatch(/^document-[0-9a-f-]{36}\.json$/);
    expect(JSON.parse(readFileSync(join(dataPath, finished.results.document_path), 'utf8'))).toEqual({ Event: { info: 'from a file' } });
  });

  it('refuses a `_path` outside the data folder, and a missing argument, as action errors', async () => {
    expect(await run(EchoAction, { document_path: '../../etc/passwd' })).toBe(0);
    expect(await run(EchoAction, {})).toBe(0);
    const errors = patches().filter((body) => body.status === 'finished').map((body) => body.error);
    expect(errors).toEqual([
      `The file given by "document_path" (../../etc/passwd) is not inside the data folder ${dataPath}.`,
      'The action needs the argument "document" (the value itself) or "document_path" (a JSON file in the data folder); neither was given.',
    ]);
  });

  it("reports the action's own error as its message, and a defect as unexpected", async () => {
    await run(EchoAction, { fail_with: `upstream refused (key ${SECRET})` });
    await run(BrokenAction, {});
    await run(UnserialisableAction as unknown as typeof EchoAction, {});
    const errors = patches().filter((body) => body.status === 'finished').map((body) => body.error);
    expect(errors[0]).toBe('upstream refused (key [REDACTED])');
    expect(errors[1]).toMatch(/^An unexpected error occurred: TypeError: Cannot read properties of undefined/);
    expect(errors[2]).toMatch(/^Results are invalid: they cannot be written as JSON/);
  });

  it('reports invalid arguments and account without running the action', async () => {
    let ran = false;
    class Watched extends EchoAction {
      override async run(args: { branch: string }): Promise<Record<string, unknown>> {
        ran = true;
        return super.run(args);
      }
    }
    await run(Watched, { document: 'not an object', branch: 3 }, { account: { api_url: 'not a url' } });
    expect(ran).toBe(false);
    expect(patches()[1]?.error).toBe(
      'Invalid configuration (3 problems): In the module configuration, api_url is "not a url"; expected a URL starting with "http://" or "https://". ' +
        "In the action's arguments, document is \"not an object\"; expected a JSON object. In the action's arguments, branch is 3; expected a text, for example \"echoed\".",
    );
  });

  it('retries the callback on 5xx and network errors, and ignores a 409 to the finished call', async () => {
    const statuses = [503, 502];
    platform.responders.set('callback', (request) => {
      const status = (JSON.parse(request.body) as { status: string }).status;
      if (status === 'running') return { status: statuses.shift() ?? 200, body: {} };
      return { status: 409 };
    });
    expect(await run(EchoAction, { document: {} }, { account: { api_url: 'https://s.example', api_key: 'k-1' } })).toBe(0);
    expect(patches().map((body) => body.status)).toEqual(['running', 'running', 'running', 'finished']);
    expect(pauses.slice(-2)).toEqual([1_000, 2_000]);
  });

  it('stops at once on a 4xx and exits 1, since the platform cannot be told', async () => {
    platform.responders.set('callback', () => ({ status: 403 }));
    const lines: string[] = [];
    expect(await run(EchoAction, { document: {} }, { lines })).toBe(1);
    expect(platform.to('callback')).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/refused the action's "running" callback \(HTTP 403/);
  });

  it('gives up after ten attempts when the callback stays unreachable', async () => {
    platform.responders.set('callback', () => ({ status: 500 }));
    expect(await run(EchoAction, { document: {} })).toBe(1);
    expect(platform.to('callback')).toHaveLength(10);
    expect(pauses.slice(-9)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('runs with no arguments at all as with empty ones, the schema naming what is required', async () => {
    const environment = env({});
    delete environment.ARGUMENTS;
    expect(await runAction({ definition, action, actionClass: EchoAction, env: environment, clock: instantClock, write: () => undefined, handleProcessSignals: false })).toBe(0);
    expect(patches()[1]?.error).toMatch(/^The action needs the argument "document"/);
  });

  it('exits 1 without calling anything when the callback address is missing', async () => {
    const lines: string[] = [];
    const code = await runAction({ definition, action, actionClass: EchoAction, env: { ...env({}), URL_CALLBACK: '' }, write: (line) => lines.push(line), handleProcessSignals: false });
    expect(code).toBe(1);
    expect(platform.requests).toHaveLength(0);
    expect(lines.join('\n')).toMatch(/missing url_callback/);
  });
});

describe('Module dispatches actions as well as triggers', () => {
  it('runs the action registered for the command', async () => {
    const module = new Module({ root, env: env({ document: { a: 1 } }), handleProcessSignals: false, write: () => undefined });
    module.register(EchoAction, 'example-action');
    expect(await module.run(['example-action'])).toBe(0);
    expect(patches()[1]).toMatchObject({ results: { document: { a: 1 } } });
  });

  it('lists actions among the known commands', async () => {
    const errors: string[] = [];
    const module = new Module({ root, writeError: (line) => errors.push(line), env: {} });
    module.register(EchoAction, 'example-action');
    expect(await module.run(['nope'])).toBe(2);
    expect(errors).toEqual(['Unknown command "nope". Known commands: example-action.']);
  });
});

describe('createActionTestRuntime', () => {
  it('runs an action in memory with the same checks', async () => {
    const runtime = createActionTestRuntime(EchoAction, { root, command: 'example-action', moduleConfiguration: { api_url: 'https://s.example', api_key: 'k' } });
    const report = await runtime.run({ document: { b: 2 } });
    expect(report).toEqual({ results: { document: { b: 2 } }, outputs: { echoed: true }, logs: [{ level: 'info', message: 'Echoing with key k' }] });
    const refused = await runtime.run({ document: {}, branch: 5 });
    expect(refused.error).toBe("Invalid configuration (1 problem): In the action's arguments, branch is 5; expected a text, for example \"echoed\".");
  });
});
