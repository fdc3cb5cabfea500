import type { Registry } from 'prom-client';
import { serve, type RunningServer } from './running-server.js';

export interface MetricsServerOptions {
  port: number;
  host?: string;
  registry: Registry;
}

/** Serves the registry on GET /metrics in the Prometheus text exposition format. */
export function startMetricsServer(options: MetricsServerOptions): Promise<RunningServer> {
  return serve({
    port: options.port,
    ...(options.host === undefined ? {} : { host: options.host }),
    routes: {
      '/metrics': async (request, response) => {
        const body = await options.registry.metrics();
        response.writeHead(200, {
          'content-type': options.registry.contentType,
          'content-length': Buffer.byteLength(body),
        });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
    },
  });
}
