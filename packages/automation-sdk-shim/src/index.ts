// Trigger API
export { Trigger, type TriggerContext, type TriggerClass } from './trigger.js';
export { FatalTriggerError } from './fatal-trigger-error.js';
export { Module, type ModuleOptions } from './module.js';
export {
  StateFile,
  StateJournal,
  replaceFile,
  nodeStateFileSystem,
  type StateFileHandle,
  type StateFileOptions,
  type StateFileSystem,
  type StateSlices,
} from './state/state-file.js';
export { StateWriteError } from './state/state-write-error.js';

// Action API
export { Action, type ActionContext, type ActionClass, type ActionResults } from './action/action.js';
export { MissingActionArgumentError } from './action/missing-action-argument-error.js';
export { ActionFileError } from './action/action-file-error.js';
export { ActionCallbackError } from './action/action-callback-error.js';
export { ActionStoppedError } from './action/action-stopped-error.js';
export { runAction, type RunActionOptions } from './action/action-runner.js';
export { executeAction, type ActionOutcome, type ExecuteActionInput } from './action/action-execution.js';
export { ActionCallback, DEFAULT_CALLBACK_RETRY, type ActionCallbackOptions } from './action/action-callback.js';

// Errors a trigger or its tests may meet
export { ConfigurationError } from './configuration/configuration-error.js';
export { InvalidEventError } from './invalid-event-error.js';
export { EventDeliveryError } from './event-delivery-error.js';
export { SecretsFetchError } from './secrets-fetch-error.js';
export { ModuleDefinitionError } from './module-definition-error.js';

// Runtime building blocks
export { runTrigger, type RunTriggerOptions } from './runner.js';
export { TriggerHost, MAX_SUCCESSIVE_ERRORS, type TriggerHostOptions, type RunOutcome } from './trigger-host.js';
export {
  ConfigurationSource,
  lookupRuntimeConfiguration,
  readRuntimeConfiguration,
  prepareDataPath,
  deriveFromCallback,
  parseJsonValue,
  type ConfigurationSourceOptions,
  type RuntimeConfiguration,
  type RuntimeConfigurationLookup,
} from './configuration/lookup.js';
export {
  createValidator,
  checkAgainstSchema,
  checkConfigurations,
  validateConfigurations,
  MODULE_CONFIGURATION,
  TRIGGER_CONFIGURATION,
  ACTION_ARGUMENTS,
  type SchemaCheck,
  type ValidConfigurations,
} from './configuration/validation.js';
export type { JsonSchema } from './configuration/json-schema.js';
export { describeProblems } from './configuration/problem-sentences.js';
export { fetchSecrets, type FetchSecretsOptions } from './secrets.js';
export { EventSender, validateEvent, type EventSenderOptions } from './events.js';
export { backoffDelay, DEFAULT_BACKOFF, type Backoff } from './retry/backoff.js';
export { readRetryAfter, MAX_RETRY_AFTER_MS } from './retry/retry-after.js';
export {
  retry,
  isRetriedStatus,
  formatSeconds,
  type RetryPolicy,
  type RetryVerdict,
  type RetryStep,
  type RetryOptions,
  type RetryEnd,
  type RetryResult,
} from './retry/retry.js';
export {
  loadModuleDefinition,
  findTrigger,
  findAction,
  secretKeys,
  type ActionDefinition,
  type Manifest,
  type ModuleDefinition,
  type TriggerDefinition,
} from './module-definition.js';

// Logging and servers
export { REDACTED, SecretRedactor } from './logging/secret-redactor.js';
export { processSecrets } from './logging/process-secrets.js';
export { LogShipper, type LogShipperOptions } from './logging/log-shipper.js';
export { startHealthServer, type HealthStatus } from './servers/health-server.js';
export { startMetricsServer } from './servers/metrics-server.js';
export type { RunningServer } from './servers/running-server.js';

export { systemClock } from './clock.js';
export { LOG_LEVELS, type Clock, type Logger, type LogLevel } from './types.js';
