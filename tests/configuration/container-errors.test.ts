/**
 * What the container says for each configuration mistake: the module launched as the platform
 * launches it (configuration lookup from files and environment, secrets from url_secrets), its one
 * critical line read back exactly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkConfigurations, loadModuleDefinition, Module, type JsonSchema, type TriggerClass } from '@sekoia/automation-sdk-shim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moduleRoot, TRIGGER_COMMAND } from '../../misp_modules/configuration/module-root.js';
import { freePort } from '../../misp_modules/dev/loopback-http.js';
import { startRuntimeEndpointsServer, type RuntimeEndpointsServer } from '../../misp_modules/dev/runtime-endpoints-server.js';
import { NEW_EVENT_COMMAND, NewEventTrigger } from '../../misp_modules/new-event/new-event-trigger.js';
import { MispIdsAttributesToIocCollectionTrigger } from '../../misp_modules/trigger/misp-ids-attributes-to-ioc-collection.js';

const TOKEN = 'runtime-token-7a3c9e1f5b2d4c6e';
const MISP_KEY = 'misp-key-4e2a8c6f0b1d3e5a7c9f';
const SEKOIA_KEY = 'sekoia-key-2c4e6a8b0d1f3e5a';
const COLLECTION = 'ioc-collection--0e5b8a52-7f3c-4d1a-9b6e-2c4d6f8a0b1c';
const GOOD_ACCOUNT = { misp_url: 'https://misp.example.org' };
const GOOD_ARGUMENTS = { ioc_collection_uuid: COLLECTION };

let runtime: RuntimeEndpointsServer;
beforeAll(async () => {
  runtime = await startRuntimeEndpointsServer({ token: TOKEN, secrets: { misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY } });
});
afterAll(async () => {
  await runtime.close();
});

interface Launch {
  account?: unknown;
  arguments?: unknown;
  /** Raw text for MODULE_CONFIGURATION, instead of `account` as JSON. */
  accountText?: string;
  secrets?: Record<string, string>;
  env?: Record<string, string | undefined>;
}

/** Launches the module once; resolves with its exit code and its critical lines. */
async function launch(options: Launch): Promise<{ code: number; critical: string[]; output: string }> {
  runtime.secrets = options.secrets ?? { misp_api_key: MISP_KEY, sekoia_api_key: SEKOIA_KEY };
  const lines: string[] = [];
  const env: NodeJS.ProcessEnv = {
    SYMPHONY_VOLUME_PATH: mkdtempSync(path.join(tmpdir(), 'container-volume-')),
    SYMPHONY_DATA_PATH: mkdtempSync(path.join(tmpdir(), 'container-data-')),
    MODULE_CONFIGURATION: options.accountText ?? JSON.stringify(options.account ?? GOOD_ACCOUNT),
    TRIGGER_CONFIGURATION: Buffer.from(JSON.stringify(options.arguments ?? GOOD_ARGUMENTS)).toString('base64'),
    TOKEN,
    URL_CALLBACK: runtime.callbackUrl,
    LIVENESS_PORT: String(await freePort()),
    METRICS_PORT: String(await freePort()),
  };
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const module = new Module({ root: moduleRoot(), env, write: (line) => lines.push(line), writeError: (line) => lines.push(line), handleProcessSignals: false });
  module.register(MispIdsAttributesToIocCollectionTrigger, TRIGGER_COMMAND);
  const code = await module.run([TRIGGER_COMMAND]);
  const critical = lines.filter((line) => / CRITICAL /.test(line)).map((line) => line.replace(/^\S+ CRITICAL +/, ''));
  return { code, critical, output: lines.join('\n') };
}

/** The one critical line of a launch that refuses its configuration. */
async function refusal(options: Launch): Promise<string> {
  const { code, critical, output } = await launch(options);
  expect(code, output).toBe(1);
  expect(critical, output).toHaveLength(1);
  expect(output).not.toContain(MISP_KEY);
  expect(output).not.toContain(SEKOIA_KEY);
  return critical[0] as string;
}

describe('configuration errors of the container, one sentence per field', () => {
  it('misp_url without a scheme: one sentence, not the same field twice', async () => {
    expect(await refusal({ account: { misp_url: 'misp.example.org' } })).toBe(
      'Invalid configuration (1 problem): In the module configuration, misp_url is "misp.example.org"; expected a URL starting with "http://" or "https://", for example "https://misp.example.org".',
    );
  });

  it('a collection identifier of the wrong form: the form in words, with an example', async () => {
    expect(await refusal({ arguments: { ioc_collection_uuid: '0e5b8a52-7f3c-4d1a-9b6e-2c4d6f8a0b1c' } })).toBe(
      'Invalid configuration (1 problem): In the trigger configuration, ioc_collection_uuid is "0e5b8a52-7f3c-4d1a-9b6e-2c4d6f8a0b1c"; expected a text written like the example, for example "ioc-collection--0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0".',
    );
  });

  it('a missing collection identifier', async () => {
    expect(await refusal({ arguments: {} })).toBe(
      'Invalid configuration (1 problem): In the trigger configuration, ioc_collection_uuid is missing; expected a text written like the example, for example "ioc-collection--0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0".',
    );
  });

  it('numbers out of range, a wrong type and a value outside a choice, each in its own sentence', async () => {
    expect(await refusal({ arguments: { ...GOOD_ARGUMENTS, sleep_time: 30, verify_ssl: 'no', source: 'misp', batch_size: 5000, push_rate_per_second: 0 } })).toBe(
      'Invalid configuration (5 problems): ' +
        'In the trigger configuration, source is "misp"; expected one of "misp_api", "misp_feed", for example "misp_api". ' +
        'In the trigger configuration, sleep_time is 30; expected a whole number of at least 60, for example 300. ' +
        'In the trigger configuration, verify_ssl is "no"; expected true or false, for example true. ' +
        'In the trigger configuration, batch_size is 5000; expected a whole number between 1 and 1,000, for example 1000. ' +
        'In the trigger configuration, push_rate_per_second is 0; expected a number above 0 and at most 100.',
    );
  });

  it('an empty secret: said to be empty, never its value', async () => {
    expect(await refusal({ secrets: { misp_api_key: MISP_KEY, sekoia_api_key: '' } })).toBe(
      'Invalid configuration (1 problem): In the module configuration, sekoia_api_key is empty; expected a non-empty text.',
    );
  });

  it('an empty MISP key: one sentence, saying it is empty and what needs it', async () => {
    expect(await refusal({ secrets: { misp_api_key: '', sekoia_api_key: SEKOIA_KEY } })).toBe(
      'Invalid configuration (1 problem): In the module configuration, misp_api_key is empty; it is required to read the MISP API (source misp_api): the authentication key of a MISP user that can read attributes.',
    );
  });

  it('an empty Sekoia.io key among the trigger arguments, none in the account: one sentence', async () => {
    expect(await refusal({ secrets: { misp_api_key: MISP_KEY }, arguments: { ...GOOD_ARGUMENTS, sekoia_api_key: '' } })).toBe(
      'Invalid configuration (1 problem): In the trigger configuration, sekoia_api_key is ""; expected a non-empty text.',
    );
  });

  it('a proxy with credentials and a wrong scheme: the credentials masked', async () => {
    const message = await refusal({ account: { ...GOOD_ACCOUNT, https_proxy: 'socks5://admin:hunter2@proxy.example.org:1080' } });
    expect(message).toBe(
      // Masked by the message, and again by the log redactor, which knows the proxy's credentials.
      'Invalid configuration (1 problem): In the module configuration, https_proxy is "socks5://[REDACTED]@proxy.example.org:1080"; expected a text starting with "http://" or "https://", for example "http://proxy.example.org:3128".',
    );
    expect(message).not.toContain('hunter2');
  });

  it('what the MISP API source needs, and what a feed needs', async () => {
    expect(await refusal({ account: {}, secrets: { sekoia_api_key: SEKOIA_KEY } })).toBe(
      'Invalid configuration (2 problems): ' +
        'In the module configuration, misp_url is missing; it is required to read the MISP API (source misp_api), for example "https://misp.example.org". ' +
        'In the module configuration, misp_api_key is missing; it is required to read the MISP API (source misp_api): the authentication key of a MISP user that can read attributes.',
    );
    expect(await refusal({ arguments: { ...GOOD_ARGUMENTS, source: 'misp_feed' } })).toBe(
      'Invalid configuration (1 problem): In the trigger configuration, feed_location is missing; it is required when source is misp_feed, for example "https://www.circl.lu/doc/misp/feed-osint".',
    );
  });

  it('attribute types the trigger does not push', async () => {
    expect(await refusal({ arguments: { ...GOOD_ARGUMENTS, attribute_types: ['domain', 'vulnerability'] } })).toBe(
      'Invalid configuration (1 problem): In the trigger configuration, attribute_types names "vulnerability", which the trigger does not push; expected MISP types of the README\'s "Supported types", for example ["ip-dst", "domain", "sha256"].',
    );
  });

  it('a module configuration that is not JSON: the line and column of the mistake, not the text', async () => {
    const text = `{\n  "misp_url": "https://misp.example.org",\n  "misp_api_key": "${MISP_KEY}"\n  "http_proxy": "http://proxy.example.org:3128"\n}`;
    expect(await refusal({ accountText: text })).toBe(
      'Invalid configuration (1 problem): module_configuration (environment variable MODULE_CONFIGURATION) is not valid JSON: unexpected character at line 4, column 3; expected a JSON object, or base64 of one, for example {"key": "value"}.',
    );
  });

  it('values of the runtime missing or unusable', async () => {
    const message = await refusal({ env: { TOKEN: undefined, LIVENESS_PORT: '80000' } });
    expect(message).toMatch(
      /^Invalid configuration \(2 problems\): token is missing; set it in the file \S+\/token or environment variable TOKEN\. liveness_port \(environment variable LIVENESS_PORT\) is "80000"; expected a port number between 0 and 65,535, for example 8000\.$/,
    );
  });
});

describe('an empty or blank secret, in every component that checks the account: one sentence for the field', () => {
  const definition = loadModuleDefinition(moduleRoot());
  const accountSchema = definition.manifest.configuration as JsonSchema;
  const secrets = (accountSchema['secrets'] as string[]) ?? [];
  const full = Object.fromEntries(secrets.map((key) => [key, `${key}-value-5d1c`]));
  const account = { ...GOOD_ACCOUNT, ...full };
  const components: [string, TriggerClass, string, Record<string, unknown>][] = [
    ['IDS trigger, MISP API', MispIdsAttributesToIocCollectionTrigger, TRIGGER_COMMAND, GOOD_ARGUMENTS],
    ['IDS trigger, MISP feed', MispIdsAttributesToIocCollectionTrigger, TRIGGER_COMMAND, { ...GOOD_ARGUMENTS, source: 'misp_feed', feed_location: 'https://feed.example.org/misp' }],
    ['New Event trigger', NewEventTrigger, NEW_EVENT_COMMAND, {}],
  ];
  const cases = components.flatMap(([name, triggerClass, command, args]) =>
    ['misp_url', ...secrets].flatMap((key) => ['', '   '].map((value) => [name, key, value, triggerClass, command, args] as const)),
  );

  it.each(cases)('%s, %s set to %j', (_name, key, value, triggerClass, command, args) => {
    const trigger = definition.triggers.find((candidate) => candidate.docker_parameters === command);
    const { problems } = checkConfigurations({
      moduleConfiguration: { ...account, [key]: value },
      moduleSchema: accountSchema,
      triggerConfiguration: args,
      triggerSchema: trigger?.arguments as JsonSchema,
      crossCheck: triggerClass.checkConfiguration?.bind(triggerClass),
    });
    expect(problems.filter((problem) => problem.includes(` ${key} `)).length, problems.join('\n')).toBeLessThanOrEqual(1);
    expect(problems.join(' ')).not.toContain('is missing');
  });
});
