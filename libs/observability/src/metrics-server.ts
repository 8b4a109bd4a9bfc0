import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rootLog } from './logging';
import { registry } from './tessera-metrics';

/**
 * `GET /metrics` on a port of its own, for the apps that serve no HTTP. A port already taken (a
 * second replica on the same host) is logged and skipped: the app runs on without it.
 */
export async function serveMetrics(port: number, host: string): Promise<Server | undefined> {
  const log = rootLog();
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  });
  return new Promise((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      log.warn({ context: 'metrics' }, `metrics not served on ${host}:${port}: ${error.code ?? error.message}`);
      resolve(undefined);
    });
    server.listen(port, host, () => {
      const { port: bound } = server.address() as AddressInfo;
      log.info({ context: 'metrics', port: bound }, `metrics on http://${host}:${bound}/metrics`);
      server.unref();
      resolve(server);
    });
  });
}
