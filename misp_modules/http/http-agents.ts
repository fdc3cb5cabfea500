import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import proxyFromEnv from 'proxy-from-env';

/** Where requests go out: explicit proxies from the account, else the standard environment variables. */
export interface ProxySettings {
  httpProxy?: string | undefined;
  httpsProxy?: string | undefined;
  verifySsl: boolean;
}

export interface AgentSet {
  http: http.Agent;
  https: https.Agent;
}

const KEEP_ALIVE = { keepAlive: true, keepAliveMsecs: 1_000, maxSockets: 16, maxFreeSockets: 4, scheduling: 'lifo' } as const;

/**
 * The agents for one target URL. The account's proxies win; when none is configured, HTTP_PROXY /
 * HTTPS_PROXY / NO_PROXY decide for this URL, as curl and the Python SDK do.
 */
export function agentsFor(targetUrl: string, settings: ProxySettings): AgentSet {
  const tls = { rejectUnauthorized: settings.verifySsl };
  const isHttps = targetUrl.startsWith('https:');
  const configured = isHttps ? settings.httpsProxy : settings.httpProxy;
  const proxy = configured ?? (settings.httpProxy === undefined && settings.httpsProxy === undefined ? proxyFromEnv.getProxyForUrl(targetUrl) : '');
  if (!proxy) {
    return { http: new http.Agent(KEEP_ALIVE), https: new https.Agent({ ...KEEP_ALIVE, ...tls }) };
  }
  return {
    http: new HttpProxyAgent({ ...KEEP_ALIVE, proxy }),
    https: new HttpsProxyAgent({ ...KEEP_ALIVE, ...tls, proxy }),
  };
}
