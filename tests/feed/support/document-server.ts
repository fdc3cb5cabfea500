import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server of one list file on 127.0.0.1, as block lists are served: ETag and/or Last-Modified, 304 on a match. */
export interface DocumentServer {
  /** The file's URL, with a trailing slash and a query string as some real lists have. */
  url: string;
  body: string;
  /** Answer with an ETag (and honour If-None-Match). */
  etags: boolean;
  /** The Last-Modified date sent (and compared with If-Modified-Since); undefined sends none. */
  lastModified: string | undefined;
  /** Answer every request with this status instead, when set. */
  status: number | undefined;
  requests: Array<{ path: string; headers: IncomingHttpHeaders; status: number }>;
  close(): Promise<void>;
}

export const DOCUMENT_PATH = '/downloads/list/?format=text';

export async function startDocumentServer(body: string): Promise<DocumentServer> {
  const state = { body, etags: true, lastModified: undefined as string | undefined, status: undefined as number | undefined, requests: [] as DocumentServer['requests'] };
  const server = createServer((req, res) => {
    const entry = { path: req.url ?? '', headers: req.headers, status: 0 };
    state.requests.push(entry);
    const send = (status: number, headers: Record<string, string>, content = ''): void => {
      entry.status = status;
      res.writeHead(status, headers);
      res.end(content);
    };
    if (state.status !== undefined) return send(state.status, { 'content-type': 'text/html' }, '<html><title>Forbidden</title></html>');
    if (req.url !== DOCUMENT_PATH) return send(404, { 'content-type': 'text/plain' }, 'not found');
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
    if (state.etags) headers.etag = `"${createHash('sha1').update(state.body).digest('hex')}"`;
    if (state.lastModified !== undefined) headers['last-modified'] = state.lastModified;
    const etagMatches = state.etags && req.headers['if-none-match'] === headers.etag;
    const dateMatches = !state.etags && state.lastModified !== undefined && req.headers['if-modified-since'] === state.lastModified;
    if (etagMatches || dateMatches) return send(304, headers);
    return send(200, headers, state.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}${DOCUMENT_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
