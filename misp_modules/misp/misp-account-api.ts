import { ConfigurationError } from '@sekoia/automation-sdk-shim';
import type { MispModuleConfiguration } from '../configuration/configuration.generated.js';
import { MispJsonApi } from './misp-json-api.js';

/**
 * The MISP API of the account, for the components that need a MISP instance (the account schema
 * cannot require misp_url and misp_api_key: the IDS trigger can read a feed instead).
 */
export function mispApiOf(account: MispModuleConfiguration, verifySsl: boolean, purpose: string): MispJsonApi {
  const missing = (['misp_url', 'misp_api_key'] as const).filter((key) => typeof account[key] !== 'string' || account[key].trim() === '');
  if (missing.length > 0) throw new ConfigurationError(missing.map((key) => `module configuration: missing ${key} (required ${purpose})`));
  return new MispJsonApi({
    baseUrl: account.misp_url as string,
    apiKey: account.misp_api_key as string,
    verifySsl,
    httpProxy: account.http_proxy,
    httpsProxy: account.https_proxy,
  });
}
