import type { Context, Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { BlockList, isIP } from 'node:net';
import { rootLog } from './logging';
import { CounterCell, HistogramCell } from './metric-families';
import { metrics, registry } from './tessera-metrics';
import { endSpan, startIncomingSpan, tracingOn, withContext } from './tracing';

type Hook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

interface RouteTrace {
  span: Span;
  context: Context;
}

/** A request slower than this is logged at info. */
const SLOW_REQUEST_MS = 1_000;

const traces = new WeakMap<FastifyRequest, RouteTrace>();

/**
 * Per route, as it is registered: counts and latency by route pattern (never the path, so the
 * label set stays bounded and holds no identifier), a span as the child of the caller's
 * `traceparent` when tracing, and one log line with the request id (debug; info when it failed or was slow). Call before NestFactory.create.
 */
export function observeHttp(fastify: FastifyInstance): void {
  const log = rootLog().child({ context: 'http' });
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const routeLabel = route.url;
    const byMethod = new Map<string, { duration: HistogramCell; byStatus: Map<number, CounterCell> }>();
    const cellsOf = (method: string) => {
      let cells = byMethod.get(method);
      if (cells === undefined) {
        cells = { duration: metrics.httpDuration.child(method, routeLabel), byStatus: new Map() };
        byMethod.set(method, cells);
      }
      return cells;
    };
    const onRequest: Hook = (request, _reply, done) => {
      if (tracingOn()) {
        traces.set(
          request,
          startIncomingSpan(`${request.method} ${routeLabel}`, request.headers, {
            'http.request.method': request.method,
            'http.route': routeLabel,
          }),
        );
      }
      done();
    };
    // After the body is read: the handler (Nest's guards, pipes, controller) runs inside the span.
    const preHandler: Hook = (request, _reply, done) => {
      const traced = traces.get(request);
      if (traced) withContext(traced.context, done);
      else done();
    };
    const onResponse: Hook = (request, reply, done) => {
      const status = reply.statusCode;
      const cells = cellsOf(request.method);
      let count = cells.byStatus.get(status);
      if (count === undefined) {
        count = metrics.httpRequests.child(request.method, routeLabel, String(status));
        cells.byStatus.set(status, count);
      }
      count.inc();
      const elapsedMs = reply.elapsedTime;
      cells.duration.observe(elapsedMs / 1000);
      const traced = traces.get(request);
      if (traced) {
        traced.span.setAttribute('http.response.status_code', status);
        endSpan(traced.span, status >= 500 ? new Error(`answered ${status}`) : undefined);
        traces.delete(request);
      }
      // Every request at debug; at info only the failures and the slow ones (a line costs microseconds on the hot path).
      const level = status >= 500 || elapsedMs >= SLOW_REQUEST_MS ? 'info' : 'debug';
      if (log.isLevelEnabled(level)) {
        const ids = traced ? { trace_id: traced.span.spanContext().traceId } : undefined;
        log[level](
          { reqId: request.id, method: request.method, route: routeLabel, status, ms: Math.round(elapsedMs), ...ids },
          'request completed',
        );
      }
      done();
    };
    // Tracing is set up before any route (startTracing): without it, two hooks fewer per request.
    if (tracingOn()) {
      route.onRequest = [...hooks(route.onRequest), onRequest];
      route.preHandler = [...hooks(route.preHandler), preHandler];
    }
    route.onResponse = [...hooks(route.onResponse), onResponse];
  });
}

function hooks(existing: RouteOptions['onRequest']): Hook[] {
  if (existing === undefined) return [];
  return (Array.isArray(existing) ? existing : [existing]) as Hook[];
}

/**
 * `GET /metrics` on the gateway, answered only to loopback and to the trusted proxies (whatever a
 * proxy forwards): to anyone else it does not exist.
 */
export function serveHttpMetrics(fastify: FastifyInstance, trustedProxies: readonly string[]): void {
  const allowed = new BlockList();
  allowed.addSubnet('127.0.0.0', 8, 'ipv4');
  allowed.addAddress('::1', 'ipv6');
  for (const entry of trustedProxies) {
    const [address, bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) allowed.addAddress(address, family);
    else allowed.addSubnet(address, Number(bits), family);
  }
  fastify.get('/metrics', async (request, reply) => {
    if (!peerAllowed(allowed, request.socket.remoteAddress)) {
      return reply.code(404).send({ error: { code: 'not_found', message: 'no such route' } });
    }
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}

function peerAllowed(allowed: BlockList, peer: string | undefined): boolean {
  if (!peer) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(peer);
  if (mapped) return allowed.check(mapped[1], 'ipv4');
  return allowed.check(peer, isIP(peer) === 6 ? 'ipv6' : 'ipv4');
}
