import type { Ajv } from 'ajv';
import { ConfigurationError } from '../configuration/configuration-error.js';
import { ACTION_ARGUMENTS, checkAgainstSchema, createValidator, MODULE_CONFIGURATION } from '../configuration/validation.js';
import type { ActionDefinition, Manifest } from '../module-definition.js';
import type { Clock, Logger } from '../types.js';
import type { Action, ActionClass } from './action.js';

export interface ExecuteActionInput {
  manifest: Manifest;
  action: ActionDefinition;
  actionClass: ActionClass;
  /** Secrets already merged. */
  moduleConfiguration: unknown;
  arguments: unknown;
  clock: Clock;
  dataPath: string;
  signal: AbortSignal;
  logger: Logger;
  ajv?: Ajv;
}

/** What the finished callback reports. */
export interface ActionOutcome {
  /** Absent when the action returned nothing or failed. */
  results?: Record<string, unknown>;
  /** Absent on success. */
  error?: string;
  /** Branches chosen with setOutput. */
  outputs: Record<string, boolean>;
}

// Errors that JavaScript itself throws point at a defect rather than at something the user can fix.
const DEFECT_ERRORS = new Set(['Error', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'EvalError', 'URIError']);

/**
 * One run of an action, the part common to the container and to tests: both configurations checked
 * against their schemas, run(), its results checked against the action JSON's `results`. Never
 * throws: every failure becomes the outcome's `error`, a sentence for the playbook's author.
 */
export async function executeAction(input: ExecuteActionInput): Promise<ActionOutcome> {
  const outputs: Record<string, boolean> = {};
  const ajv = input.ajv ?? createValidator();
  const moduleCheck = checkAgainstSchema(ajv, input.manifest.configuration, input.moduleConfiguration, MODULE_CONFIGURATION);
  const argumentsCheck = checkAgainstSchema(ajv, input.action.arguments, input.arguments, ACTION_ARGUMENTS);
  const problems = [...moduleCheck.problems, ...argumentsCheck.problems];
  if (problems.length > 0) return fail(new ConfigurationError(problems).message, input.logger, outputs);

  let action: Action<any, any, any>;
  let returned: unknown;
  try {
    action = new input.actionClass({
      moduleConfiguration: moduleCheck.value,
      clock: input.clock,
      signal: input.signal,
      dataPath: input.dataPath,
      log: (message, level) => input.logger.log(message, level),
      setOutput: (branch, value) => {
        outputs[branch] = value;
      },
    });
    returned = await action.run(argumentsCheck.value);
  } catch (error) {
    return fail(describeFailure(error, input.logger), input.logger, outputs);
  }
  if (returned === undefined || returned === null) return { outputs };
  if (typeof returned !== 'object' || Array.isArray(returned)) return fail('Results are invalid: the action returned something else than an object.', input.logger, outputs);
  let results: Record<string, unknown>;
  try {
    results = JSON.parse(JSON.stringify(returned)) as Record<string, unknown>;
  } catch (error) {
    return fail(`Results are invalid: they cannot be written as JSON (${error instanceof Error ? error.message : String(error)}).`, input.logger, outputs);
  }
  const resultsCheck = checkAgainstSchema<Record<string, unknown>>(ajv, input.action.results, results);
  if (resultsCheck.problems.length > 0) return fail(`Results are invalid: ${resultsCheck.problems.join(', ')}.`, input.logger, outputs);
  return { results: resultsCheck.value, outputs };
}

function fail(error: string, logger: Logger, outputs: Record<string, boolean>): ActionOutcome {
  logger.log(error, 'error');
  return { error, outputs };
}

/** A named error of the module says what to fix; anything else is reported as unexpected, its stack logged. */
function describeFailure(error: unknown, logger: Logger): string {
  if (!(error instanceof Error)) return `An unexpected error occurred: ${String(error)}`;
  if (!DEFECT_ERRORS.has(error.name)) return error.message;
  if (error.stack !== undefined) logger.log(error.stack, 'debug');
  return `An unexpected error occurred: ${error.name}: ${error.message}`;
}
