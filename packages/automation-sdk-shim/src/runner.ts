import { Registry } from 'prom-client';
import { systemClock } from './clock.js';
import { ConfigurationError } from './configuration/configuration-error.js';
import { ConfigurationSource, lookupRuntimeConfiguration, type RuntimeConfiguration } from './configuration/lookup.js';
import { checkAgainstSchema, checkConfigurations, createValidator, TRIGGER_CONFIGURATION } from './configuration/validation.js';
import { EventSender } from './events.js';
import { LogShipper } from './logging/log-shipper.js';
import { processSecrets } from './logging/process-secrets.js';
import type { SecretRedactor } from './logging/secret-redactor.js';
import { secretKeys, type ModuleDefinition, type TriggerDefinition } from './module-definition.js';
import { fetchSecrets } from './secrets.js';
import { startHealthServer } from './servers/health-server.js';
import { startMetricsServer } from './servers/metrics-server.js';
import type { RunningServer } from './servers/running-server.js';
import type { Trigger, TriggerClass } from './trigger.js';
import { TriggerHost } from './trigger-host.js';
import type { Clock } from './types.js';

/** How long a stop waits for run() to return, leaving the rest of the 10 s budget to flushing logs. */
export const DEFAULT_STOP_TIMEOUT_MS = 6_500;
/** Bound of the last log flush at shutdown. */
const SHUTDOWN_FLUSH_MS = 2_500;
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy'];
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export interface RunTriggerOptions {
  definition: ModuleDefinition;
  trigger: TriggerDefinition;
  triggerClass: TriggerClass;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default systemClock. */
  clock?: Clock;
  /** Receives each printed log line. Default process.stdout. */
  write?: (line: string) => void;
  /** Stop on SIGTERM/SIGINT and report unhandled rejections. Default true. */
  handleProcessSignals?: boolean;
  stopTimeoutMs?: number;
}

/**
 * The production lifecycle of a trigger, as the SDK's Trigger.execute: read the configuration →
 * fetch the secrets → validate → ship logs, serve /health and /metrics → run the trigger until a
 * signal, restarting it after errors → flush and close. Resolves with the exit code: 0 after a
 * requested stop, 1 when the configuration is unusable or the trigger hit a fatal error.
 */
export async function runTrigger(options: RunTriggerOptions): Promise<number> {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const handleSignals = options.handleProcessSignals ?? true;
  const stopRequested = new AbortController();
  let host: TriggerHost | undefined;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopRequested.signal.aborted) {
      logger.log(`Received ${signal} again; the trigger is already stopping`, 'warning');
      return;
    }
    logger.log(`Received ${signal}: stopping the trigger`, 'info');
    stopRequested.abort();
    host?.stop();
  };
  const onUnhandledRejection = (reason: unknown): void => {
    logger.log(`A promise of the trigger was rejected and nobody handled it: ${reason instanceof Error ? reason.message : String(reason)}`, 'error');
  };

  // 1. Configuration lookup. The log shipper starts with whatever it needs that was found, so that
  //    even a configuration problem reaches the platform's logs.
  const source = new ConfigurationSource({ env });
  const lookup = await lookupRuntimeConfiguration(source);
  // The process's one registry: what the module's clients add to it is redacted from the logs too.
  const redactor = processSecrets;
  registerKnownSecrets(redactor, options.definition, lookup.values.moduleConfiguration, env);
  // A key the manifest declares secret stays secret where an older configuration put it instead.
  registerKnownSecrets(redactor, options.definition, lookup.values.triggerConfiguration, {});
  const token = lookup.values.token;
  const logger = new LogShipper({
    ...(token === undefined || lookup.values.urlLogs === undefined ? {} : { url: lookup.values.urlLogs }),
    token: token ?? '',
    redactor,
    clock,
    closeTimeoutMs: SHUTDOWN_FLUSH_MS,
    ...(options.write === undefined ? {} : { write: options.write }),
  });
  const servers: RunningServer[] = [];
  const finish = async (code: number): Promise<number> => {
    if (handleSignals) {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      process.off('unhandledRejection', onUnhandledRejection);
    }
    await Promise.allSettled([logger.close(), ...servers.map((server) => server.close())]);
    return code;
  };
  if (handleSignals) {
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
    process.on('unhandledRejection', onUnhandledRejection);
  }

  const ajv = createValidator();
  if (lookup.problems.length > 0) {
    // Also name what is wrong in the trigger configuration, so that one message covers everything
    // that can be checked before the secrets are known.
    const problems = [...lookup.problems];
    if (lookup.values.triggerConfiguration !== undefined) {
      problems.push(...checkAgainstSchema(ajv, options.trigger.arguments, lookup.values.triggerConfiguration, TRIGGER_CONFIGURATION).problems);
    }
    logger.log(new ConfigurationError(problems).message, 'critical');
    return finish(1);
  }
  const runtime = lookup.values as RuntimeConfiguration;

  // 2. Secrets, merged into the module configuration before it is validated.
  let moduleConfiguration = runtime.moduleConfiguration;
  if (secretKeys(options.definition.manifest).length > 0) {
    try {
      const secrets = await fetchSecrets({ url: runtime.urlSecrets, token: runtime.token, clock, signal: stopRequested.signal, logger });
      for (const value of Object.values(secrets)) if (typeof value === 'string') redactor.addSecret(value);
      moduleConfiguration = { ...moduleConfiguration, ...secrets };
    } catch (error) {
      if (stopRequested.signal.aborted) return finish(0);
      logger.log(error instanceof Error ? error.message : String(error), 'critical');
      return finish(1);
    }
  }

  // 3. Validation of both configurations: one critical message naming every problem.
  const checked = checkConfigurations(
    {
      moduleConfiguration,
      moduleSchema: options.definition.manifest.configuration,
      triggerConfiguration: runtime.triggerConfiguration,
      triggerSchema: options.trigger.arguments,
      crossCheck: options.triggerClass.checkConfiguration?.bind(options.triggerClass),
    },
    ajv,
  );
  if (checked.problems.length > 0) {
    logger.log(new ConfigurationError(checked.problems).message, 'critical');
    return finish(1);
  }
  for (const key of checked.deprecatedKeys) logger.log(`Deprecated setting in use (${key}); see the trigger's documentation for its replacement`, 'warning');

  // 4. The trigger, its context and the servers that watch it.
  const metrics = new Registry();
  const events = new EventSender({ url: runtime.urlCallback, token: runtime.token, clock, resultsSchema: options.trigger.results, ajv, logger });
  host = new TriggerHost({
    moduleConfiguration: checked.moduleConfiguration,
    configuration: checked.triggerConfiguration,
    clock,
    dataPath: runtime.dataPath,
    metrics,
    logger,
    deliverEvent: (name, event, signal) => events.send(name, event, signal),
    heartbeatTimeoutSeconds: options.triggerClass.heartbeatTimeoutSeconds ?? 3600,
  });
  if (stopRequested.signal.aborted) host.stop();
  const runningHost = host;
  try {
    servers.push(await startHealthServer({ port: runtime.livenessPort, status: () => runningHost.health() }));
    servers.push(await startMetricsServer({ port: runtime.metricsPort, registry: metrics }));
  } catch (error) {
    logger.log(`The health or metrics endpoint cannot listen (liveness_port ${runtime.livenessPort}, metrics_port ${runtime.metricsPort}): ${error instanceof Error ? error.message : String(error)}`, 'critical');
    return finish(1);
  }
  let trigger: Trigger<any, any>;
  try {
    trigger = new options.triggerClass(host);
  } catch (error) {
    logger.log(`The trigger could not be created: ${error instanceof Error ? error.message : String(error)}`, 'critical');
    return finish(1);
  }

  // 5. Run until a stop; a stop waits a bounded time for run() to return.
  const label = options.trigger.name ?? options.trigger.docker_parameters;
  const version = options.definition.manifest.version;
  logger.log(`Trigger "${label}" started${version === undefined ? '' : ` (module version ${version})`}`, 'info');
  const loop = host.runLoop(trigger);
  const outcome = await Promise.race([loop, stopDeadline(host.signal, options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS, loop)]);
  if (outcome === 'timeout') {
    logger.log(`The trigger did not stop within ${(options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS) / 1000} s; exiting anyway`, 'warning');
  } else if (outcome === 'stopped') {
    logger.log(`Trigger "${label}" stopped`, 'info');
  }
  return finish(outcome === 'fatal' ? 1 : 0);
}

/** Resolves 'timeout' once `timeoutMs` of wall time passed after `signal` aborted, unless `loop` ends first. */
function stopDeadline(signal: AbortSignal, timeoutMs: number, loop: Promise<unknown>): Promise<'timeout'> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    };
    if (signal.aborted) arm();
    else signal.addEventListener('abort', arm, { once: true });
    void loop.finally(() => {
      signal.removeEventListener('abort', arm);
      clearTimeout(timer);
    });
  });
}

function registerKnownSecrets(
  redactor: SecretRedactor,
  definition: ModuleDefinition,
  moduleConfiguration: Record<string, unknown> | undefined,
  env: NodeJS.ProcessEnv,
): void {
  for (const key of secretKeys(definition.manifest)) {
    const value = moduleConfiguration?.[key];
    if (typeof value === 'string') redactor.addSecret(value);
  }
  for (const key of ['http_proxy', 'https_proxy']) {
    const value = moduleConfiguration?.[key];
    if (typeof value === 'string') redactor.addProxyUrl(value);
  }
  for (const variable of PROXY_VARIABLES) redactor.addProxyUrl(env[variable]);
}
