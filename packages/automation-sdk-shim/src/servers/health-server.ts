import { serve, sendJson, type RunningServer } from './running-server.js';

/** What GET /health answers: 200 when healthy, 500 when not, with the context as JSON either way. */
export interface HealthStatus {
  healthy: boolean;
  context: Record<string, unknown>;
}

export interface HealthServerOptions {
  port: number;
  host?: string;
  status: () => HealthStatus;
}

/** Serves the liveness probe on GET /health. A status() that throws answers 500 with its message. */
export function startHealthServer(options: HealthServerOptions): Promise<RunningServer> {
  return serve({
    port: options.port,
    ...(options.host === undefined ? {} : { host: options.host }),
    routes: {
      '/health': (_request, response) => {
        const { healthy, context } = options.status();
        sendJson(response, healthy ? 200 : 500, context);
      },
    },
  });
}
