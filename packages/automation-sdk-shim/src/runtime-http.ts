import got, { RequestError } from 'got';

/** The answer of a runtime endpoint, whatever its status. */
export interface RuntimeResponse {
  status: number;
  body: string;
}

export interface RuntimeRequest {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  json?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * One request to an endpoint of the platform (callback, secrets). Resolves with any HTTP status;
 * rejects only when no answer came (network error, timeout, abort), with a message that holds
 * neither the token nor the body.
 */
export async function runtimeRequest(request: RuntimeRequest): Promise<RuntimeResponse> {
  try {
    const response = await got(request.url, {
      method: request.method,
      headers: { authorization: `Bearer ${request.token}`, accept: 'application/json' },
      ...(request.json === undefined ? {} : { json: request.json }),
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { request: request.timeoutMs },
      responseType: 'text',
      ...(request.signal === undefined ? {} : { signal: request.signal }),
    });
    return { status: response.statusCode, body: response.body };
  } catch (error) {
    const reason = error instanceof RequestError ? (error.code ?? error.message) : String(error);
    throw new Error(`no answer from ${request.method} ${request.url} (${reason})`);
  }
}
