/**
 * A loopback stand-in for the platform's side of an action run: `PATCH /callback` with the
 * runtime token, answering `{status: "running"}` with the module's secrets as the platform does.
 */
import { bearerToken, startLoopbackServer, type LoopbackServer } from '../../misp_modules/dev/loopback-http.js';

export interface ActionCallbackDouble extends LoopbackServer {
  callbackUrl: string;
  /** Bodies of every accepted PATCH, in order. */
  patches: Array<Record<string, unknown>>;
  /** The body of the finished call, once it came. */
  finished(): Record<string, unknown> | undefined;
}

export async function startActionCallbackDouble(token: string, secrets: Record<string, string>): Promise<ActionCallbackDouble> {
  const patches: Array<Record<string, unknown>> = [];
  const base = await startLoopbackServer((exchange) => {
    const { record } = exchange;
    if (record.method !== 'PATCH' || record.path !== '/callback') return exchange.send(404, { message: `No route for ${record.method} ${record.path}.` });
    if (bearerToken(record.headers) !== token) return exchange.send(401, { message: 'Invalid or missing bearer token.' });
    const body = record.body as Record<string, unknown> | undefined;
    if (body === undefined) return exchange.send(400, { message: 'The body must be JSON.' });
    patches.push(body);
    if (body.status === 'running' && body.need_secrets === true) return exchange.send(200, { module_configuration: { value: secrets } });
    return exchange.send(200, {});
  });
  return Object.assign(base, {
    callbackUrl: `${base.url}/callback`,
    patches,
    finished: () => patches.find((body) => body.status === 'finished'),
  });
}
