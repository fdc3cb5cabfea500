import { argumentDefault } from '../configuration/module-root.js';
import { selectIocTypeRows } from '../iocs/normalise-attribute.js';
import { sourceKindOf } from '../sources/source-kinds.js';

/**
 * The IDS trigger's rules that JSON Schema cannot state, then those of the source kind that `source`
 * names: one sentence per problem, in the words of the configuration error.
 */
export function triggerConfigurationProblems(account: Record<string, unknown>, configuration: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (Array.isArray(configuration.attribute_types)) {
    const { unknown } = selectIocTypeRows(configuration.attribute_types.filter((type): type is string => typeof type === 'string'));
    if (unknown.length > 0) {
      problems.push(
        `In the trigger configuration, attribute_types names ${unknown.map((type) => JSON.stringify(type)).join(', ')}, which the trigger does not push; ` +
          `expected MISP types of the README's "Supported types", for example ["ip-dst", "domain", "sha256"].`,
      );
    }
  }
  // An empty key, in the account or among the arguments, is the schema's to report; this names a key given nowhere.
  if (account.sekoia_api_key === undefined && configuration.sekoia_api_key === undefined) {
    problems.push(
      'In the module configuration, sekoia_api_key is missing; expected the Sekoia.io API key allowed to write to the IOC collection, ' +
        'in the account (or among the trigger arguments, where configurations of the Python module keep it).',
    );
  }
  // A source no kind answers to is the schema's to report.
  const source = String(configuration.source ?? argumentDefault('source'));
  const kind = sourceKindOf(source);
  if (configuration.expiry === 'decaying_model' && kind !== undefined && kind.lifetimes !== true) {
    problems.push(
      `In the trigger configuration, expiry is "decaying_model", which source ${source} cannot follow: only a MISP API reads MISP's decaying models; ` +
        'expected source "misp_api" with it, or expiry "fixed" with valid_for.',
    );
  }
  return [...problems, ...(kind?.checkConfiguration(account, configuration) ?? [])];
}
