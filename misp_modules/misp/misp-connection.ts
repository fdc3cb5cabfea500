/**
 * The connection of the MISP client (`misp-api.ts`, its only user): the base URL as the account
 * gives it (the key and any credentials in it made known to the process's redactor), and one got
 * instance with MISP's headers, the proxies, the timeouts and no retries of got's own (the client
 * retries through the injected clock, knowing MISP's statuses, or not at all where a request is not
 * idempotent).
 */
import { processSecrets } from '@sekoia/automation-sdk-shim';
import got, { type Got } from 'got';
import { agentsFor, type AgentSet } from '../http/http-agents.js';
import { USER_AGENT } from '../http/user-agent.js';

export interface MispConnectionOptions {
  baseUrl: string;
  apiKey: string;
  verifySsl: boolean;
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  timeouts: { connectMs: number; responseMs: number };
}

export interface MispConnection {
  /** The base URL without query, fragment or trailing slash: a path such as `/events/restSearch` is appended to it. */
  base: string;
  host: string;
  agents: AgentSet;
  http: Got;
}

/** @throws TypeError when misp_url is not an http(s) URL, with a sentence an operator can act on. */
export function openMispConnection(options: MispConnectionOptions): MispConnection {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new TypeError('misp_url is not a valid URL: give the base URL of the MISP instance, for example https://misp.example.org.');
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`misp_url must start with https:// or http://, not ${base.protocol}//.`);
  }
  base.search = '';
  base.hash = '';
  const href = base.href.replace(/\/+$/, '');
  // Credentials in misp_url are as secret as the key.
  processSecrets.addSecret(options.apiKey);
  processSecrets.addUrlCredentials(base);
  const agents = agentsFor(href, { httpProxy: options.httpProxy, httpsProxy: options.httpsProxy, verifySsl: options.verifySsl });
  const { connectMs, responseMs } = options.timeouts;
  const http = got.extend({
    agent: agents,
    https: { rejectUnauthorized: options.verifySsl },
    headers: { authorization: options.apiKey, accept: 'application/json', 'content-type': 'application/json', 'user-agent': USER_AGENT },
    timeout: { lookup: connectMs, connect: connectMs, secureConnect: connectMs, request: responseMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
  });
  return { base: href, host: base.host, agents, http };
}
