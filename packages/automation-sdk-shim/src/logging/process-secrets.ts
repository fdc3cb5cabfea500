import { SecretRedactor } from './secret-redactor.js';

// Kept on the global object under a registered symbol: should two copies of this package be loaded
// in one process (a bundler, a linked workspace), they still share one registry.
const KEY = Symbol.for('@sekoia/automation-sdk-shim:process-secrets');
const holder = globalThis as { [KEY]?: SecretRedactor };

/**
 * The one registry of this process's secrets: the runtime adds the token, the manifest's secret
 * keys and the proxies' credentials; a client adds what it alone knows (a key, the credentials in a
 * URL). The log lines, and every excerpt of foreign text put into a message, are redacted by it.
 */
export const processSecrets: SecretRedactor = (holder[KEY] ??= new SecretRedactor());
