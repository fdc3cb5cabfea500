import { systemClock } from '../clock.js';
import { ConfigurationSource, prepareDataPath } from '../configuration/lookup.js';
import { ConfigurationError } from '../configuration/configuration-error.js';
import { processSecrets } from '../logging/process-secrets.js';
import { secretKeys, type ActionDefinition, type ModuleDefinition } from '../module-definition.js';
import type { RetryPolicy } from '../retry/retry.js';
import type { Clock } from '../types.js';
import type { ActionClass } from './action.js';
import { ActionCallback } from './action-callback.js';
import { ActionStoppedError } from './action-stopped-error.js';
import { executeAction, type ActionOutcome } from './action-execution.js';
import { ActionLog } from './action-log.js';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface RunActionOptions {
  definition: ModuleDefinition;
  action: ActionDefinition;
  actionClass: ActionClass;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default systemClock. */
  clock?: Clock;
  /** Receives each printed log line. Default process.stdout. */
  write?: (line: string) => void;
  /** Abort the action on SIGTERM/SIGINT. Default true. */
  handleProcessSignals?: boolean;
  callbackRetry?: Partial<RetryPolicy>;
}

interface ActionInputs {
  moduleConfiguration?: Record<string, unknown>;
  arguments?: Record<string, unknown>;
  token?: string;
  urlCallback?: string;
  dataPath?: string;
  problems: string[];
}

/**
 * The production lifecycle of an action, as the SDK's Action.execute: read the configuration →
 * `PATCH url_callback {status: "running"}` (asking for the secrets when the manifest declares any) →
 * run → `PATCH url_callback {status: "finished", results, error, logs, outputs}`. Resolves with the
 * exit code: 0 once the platform has the outcome (an action error included, as with the SDK), 1
 * when it could not be told.
 */
export async function runAction(options: RunActionOptions): Promise<number> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  // The process's one registry: what the module's clients add to it is redacted from the logs too.
  const redactor = processSecrets;
  const log = new ActionLog(redactor, clock, options.write);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    log.log(`Received ${signal}: stopping the action`, 'warning');
    stop.abort(new ActionStoppedError(signal));
  };
  const handleSignals = options.handleProcessSignals ?? true;
  if (handleSignals) for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    const inputs = await readActionInputs(new ConfigurationSource({ env }), env);
    const secrets = secretKeys(options.definition.manifest);
    for (const key of secrets) {
      const value = inputs.moduleConfiguration?.[key];
      if (typeof value === 'string') redactor.addSecret(value);
    }
    for (const key of ['http_proxy', 'https_proxy']) {
      const value = inputs.moduleConfiguration?.[key];
      if (typeof value === 'string') redactor.addProxyUrl(value);
    }
    redactor.addSecret(inputs.token);
    if (inputs.token === undefined || inputs.urlCallback === undefined) {
      log.log(`${new ConfigurationError(inputs.problems).message} The platform cannot be told the outcome of the action.`, 'critical');
      return 1;
    }

    const callback = new ActionCallback({ url: inputs.urlCallback, token: inputs.token, clock, logger: log, ...(options.callbackRetry === undefined ? {} : { retry: options.callbackRetry }) });
    let moduleConfiguration = inputs.moduleConfiguration;
    try {
      const answer = await callback.running(secrets.length > 0);
      if (secrets.length > 0 && moduleConfiguration !== undefined) {
        const served = servedSecrets(answer, secrets);
        for (const value of Object.values(served)) if (typeof value === 'string') redactor.addSecret(value);
        moduleConfiguration = { ...moduleConfiguration, ...served };
      }
    } catch (error) {
      log.log(error instanceof Error ? error.message : String(error), 'critical');
      return 1;
    }

    const label = options.action.name ?? options.action.docker_parameters;
    const version = options.definition.manifest.version;
    let outcome: ActionOutcome;
    if (inputs.problems.length > 0 || inputs.dataPath === undefined) {
      outcome = { error: new ConfigurationError(inputs.problems).message, outputs: {} };
      log.log(outcome.error as string, 'error');
    } else {
      log.log(`Action "${label}" started${version === undefined ? '' : ` (module version ${version})`}`, 'info');
      outcome = await executeAction({
        manifest: options.definition.manifest,
        action: options.action,
        actionClass: options.actionClass,
        moduleConfiguration,
        arguments: inputs.arguments,
        clock,
        dataPath: inputs.dataPath,
        signal: stop.signal,
        logger: log,
      });
      log.log(`Action "${label}" ${outcome.error === undefined ? 'succeeded' : 'failed'}`, outcome.error === undefined ? 'info' : 'warning');
    }
    try {
      await callback.finished({
        ...(outcome.results === undefined ? {} : { results: outcome.results }),
        ...(outcome.error === undefined ? {} : { error: redactor.redact(outcome.error) }),
        logs: log.text(),
        outputs: outcome.outputs,
      });
    } catch (error) {
      log.log(error instanceof Error ? error.message : String(error), 'critical');
      return 1;
    }
    return 0;
  } finally {
    if (handleSignals) for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}

/** The values an action reads (the README's "How the platform runs an action"): every problem collected, none thrown. */
async function readActionInputs(source: ConfigurationSource, env: NodeJS.ProcessEnv): Promise<ActionInputs> {
  const inputs: ActionInputs = { problems: [] };
  const attempt = async (step: () => Promise<void>): Promise<void> => {
    try {
      await step();
    } catch (error) {
      if (error instanceof ConfigurationError) inputs.problems.push(...error.problems);
      else throw error;
    }
  };
  for (const [name, key] of [
    ['module_configuration', 'moduleConfiguration'],
    ['arguments', 'arguments'],
  ] as const) {
    await attempt(async () => {
      const value = await source.readJson(name);
      // An action without arguments may be given none; its schema still names any it requires.
      if (value === undefined && name === 'arguments') inputs.arguments = {};
      else if (value === undefined) inputs.problems.push(`missing ${name} (${source.where(name)})`);
      else if (typeof value !== 'object' || value === null || Array.isArray(value)) inputs.problems.push(`${name} must be a JSON object`);
      else inputs[key] = value as Record<string, unknown>;
    });
  }
  await attempt(async () => {
    const token = await source.read('token');
    if (token === undefined) inputs.problems.push(`missing token (${source.where('token')})`);
    else inputs.token = token.value;
  });
  await attempt(async () => {
    const callback = await source.read('url_callback');
    if (callback === undefined) inputs.problems.push(`missing url_callback (${source.where('url_callback')})`);
    else if (!/^https?:\/\//i.test(callback.value)) inputs.problems.push(`url_callback (${callback.origin}) is not an http(s) URL`);
    else inputs.urlCallback = callback.value;
  });
  await attempt(async () => {
    inputs.dataPath = await prepareDataPath(env);
  });
  return inputs;
}

/** The secrets in the answer to the running callback (`module_configuration.value`), only those the manifest declares. */
function servedSecrets(answer: unknown, secrets: readonly string[]): Record<string, unknown> {
  const value = (answer as { module_configuration?: { value?: unknown } } | undefined)?.module_configuration?.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([key]) => secrets.includes(key)));
}
