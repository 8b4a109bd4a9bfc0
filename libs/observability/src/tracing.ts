import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/** How often finished spans are sent to the OTLP endpoint. */
const EXPORT_DELAY_MS = 1_000;

let provider: { shutdown(): Promise<void> } | undefined;

let tracing = false;

/**
 * True once startTracing found `OTEL_EXPORTER_OTLP_ENDPOINT`. Every span site checks it first, so
 * without an endpoint no span, context or header is made: tracing then costs one test.
 */
export function tracingOn(): boolean {
  return tracing;
}

/**
 * Sends this process's spans over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT`, when it is set. The
 * SDK and the exporter are loaded only then: without the variable they cost no start-up time.
 */
export async function startTracing(app: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (tracing || !env.OTEL_EXPORTER_OTLP_ENDPOINT) return;
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { OTLPTraceExporter }, { resourceFromAttributes }, sdk] =
    await Promise.all([
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace'),
    ]);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const created = new sdk.TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? `tessera-${app}` }),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: EXPORT_DELAY_MS })],
  });
  trace.setGlobalTracerProvider(created);
  provider = created;
  tracing = true;
}

/** Sends the spans still queued (at shutdown). */
export async function stopTracing(): Promise<void> {
  await provider?.shutdown().catch(() => undefined);
}

const tracer = () => trace.getTracer('tessera');

/** Header access for anything with `get(name)` (NATS headers) or a plain header record (HTTP). */
interface HeaderCarrier {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  keys(): Iterable<string>;
}

const natsGetter: TextMapGetter<HeaderCarrier> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key) || undefined,
};
const natsSetter: TextMapSetter<HeaderCarrier> = { set: (carrier, key, value) => carrier.set(key, value) };

/** The W3C trace context of the current span, written into NATS headers (only when tracing). */
export function injectTraceContext(headers: HeaderCarrier): void {
  propagation.inject(context.active(), headers, natsSetter);
}

/** A span begun where a request arrives, as the child of the caller's trace context (NATS or HTTP headers). */
export function startIncomingSpan(
  name: string,
  headers: HeaderCarrier | Record<string, string | string[] | undefined> | undefined,
  attributes: Record<string, string>,
): { span: Span; context: Context } {
  const parent =
    headers === undefined
      ? context.active()
      : typeof headers.get === 'function'
        ? propagation.extract(context.active(), headers as HeaderCarrier, natsGetter)
        : propagation.extract(context.active(), headers);
  const span = tracer().startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** Ends a span, marked failed when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
  }
  span.end();
}

/** Runs `work` in a span of its own under the current one (when tracing; otherwise just runs it). */
export async function inSpan<T>(name: string, attributes: Record<string, string | number>, work: () => Promise<T>): Promise<T> {
  if (!tracing) return work();
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      const result = await work();
      endSpan(span);
      return result;
    } catch (error) {
      endSpan(span, error);
      throw error;
    }
  });
}

/** Records a span after the fact (a catch-up read that turned out to read something); `startTime` from performance.now(). */
export function recordSpan(name: string, startTime: number, attributes: Record<string, string | number>): void {
  if (!tracing) return;
  tracer().startSpan(name, { attributes, startTime }).end();
}

/** Runs `work` with `ctx` as the current trace context. */
export function withContext<T>(ctx: Context, work: () => T): T {
  return context.with(ctx, work);
}

/** The current trace and span ids, for log lines. */
export function currentTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
