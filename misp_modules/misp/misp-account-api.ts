import { ConfigurationError } from '@sekoia/automation-sdk-shim';
import type { MispModuleConfiguration } from '../configuration/configuration.generated.js';
import { MispApi } from './misp-api.js';

/**
 * The MISP API of the account, for the components that need a MISP instance (the account schema
 * cannot require misp_url and misp_api_key: the IDS trigger can read a feed instead).
 */
export function mispApiOf(account: MispModuleConfiguration, verifySsl: boolean, purpose: string): MispApi {
  const missing = missingMispKeys(account, purpose);
  if (missing.length > 0) throw new ConfigurationError(missing);
  return new MispApi({
    baseUrl: account.misp_url as string,
    apiKey: account.misp_api_key as string,
    verifySsl,
    httpProxy: account.http_proxy,
    httpsProxy: account.https_proxy,
  });
}

/**
 * One sentence per MISP key the account lacks, for the components that call MISP (the account
 * schema cannot require them: the IDS trigger may read a feed instead). `purpose` completes
 * "it is required …", e.g. "to read events from MISP"; `keyHolder` says whose key misp_api_key is.
 */
export function missingMispKeys(
  account: Partial<Record<'misp_url' | 'misp_api_key', unknown>>,
  purpose: string,
  keyHolder = 'a MISP user (MISP: My Profile > Auth keys)',
): string[] {
  const problems: string[] = [];
  if (absent(account.misp_url)) {
    problems.push(`In the module configuration, misp_url ${absence(account.misp_url)}; it is required ${purpose}, for example "https://misp.example.org".`);
  }
  if (absent(account.misp_api_key)) {
    problems.push(`In the module configuration, misp_api_key ${absence(account.misp_api_key)}; it is required ${purpose}: the authentication key of ${keyHolder}.`);
  }
  return problems;
}

function absent(value: unknown): boolean {
  return typeof value !== 'string' || value.trim() === '';
}

/** An empty or blank value is set, only not usable: "missing" would send the operator looking for the wrong mistake. */
function absence(value: unknown): string {
  return typeof value === 'string' ? 'is empty' : 'is missing';
}
