import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { CounterFamily, HistogramFamily, type CounterCell, type HistogramCell } from './metric-families';

/** This process's metrics, in the Prometheus text format at `GET /metrics` (CONTRACT section 10). */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const metrics = {
  httpRequests: new CounterFamily('tessera_http_requests_total', 'HTTP requests answered, by route and status', [
    'method',
    'route',
    'status',
  ]).register(registry),
  httpDuration: new HistogramFamily('tessera_http_request_duration_seconds', 'Time to answer an HTTP request, by route', [
    'method',
    'route',
  ]).register(registry),
  natsHandled: new CounterFamily('tessera_nats_handled_total', 'NATS requests this app answered, by subject and outcome (ok or error)', [
    'subject',
    'outcome',
  ]).register(registry),
  natsHandleDuration: new HistogramFamily('tessera_nats_handle_duration_seconds', 'Time to answer a NATS request, by subject', [
    'subject',
  ]).register(registry),
  natsRequests: new CounterFamily(
    'tessera_nats_requests_total',
    'NATS requests this app sent, by subject and outcome (ok, error reply, unavailable)',
    ['subject', 'outcome'],
  ).register(registry),
  natsRequestDuration: new HistogramFamily('tessera_nats_request_duration_seconds', 'Time until a NATS request sent was answered', [
    'subject',
  ]).register(registry),
  natsDisconnects: new CounterFamily('tessera_nats_disconnects_total', 'Times the NATS connection was lost', []).register(registry),
  natsReconnects: new CounterFamily('tessera_nats_reconnects_total', 'Times the NATS connection came back', []).register(registry),
  decisions: new CounterFamily('tessera_decisions_total', 'Access decisions answered, by reason (granted, no_permission, ...)', [
    'reason',
  ]).register(registry),
  appendDuration: new HistogramFamily('tessera_event_store_append_duration_seconds', 'Time to append to the event log, by outcome', [
    'outcome',
  ]).register(registry),
  callerAnswers: new CounterFamily(
    'tessera_gateway_caller_answers_total',
    "The caller's answers the gateway gave, by subject: `kept` from its memory, `asked` of the app",
    ['subject', 'answer'],
  ).register(registry),
  catchUpReads: new CounterFamily('tessera_event_store_catch_up_events_total', 'Events read from the log by catch-up reads', []).register(
    registry,
  ),
};

/** The counters and latency of one subject an app answers, bound once where it subscribes. */
export interface HandledCells {
  ok: CounterCell;
  error: CounterCell;
  duration: HistogramCell;
}

export function handledCells(subject: string): HandledCells {
  return {
    ok: metrics.natsHandled.child(subject, 'ok'),
    error: metrics.natsHandled.child(subject, 'error'),
    duration: metrics.natsHandleDuration.child(subject),
  };
}

const decisionCells = new Map<string, CounterCell>();

/** Counts one decision under its reason: a map look-up and an addition, nothing allocated after the first of each reason. */
export function countDecision(reason: string): void {
  let cell = decisionCells.get(reason);
  if (cell === undefined) {
    cell = metrics.decisions.child(reason);
    decisionCells.set(reason, cell);
  }
  cell.inc();
}

/** Whatever a gauge reads at scrape time; a source that throws is skipped for that scrape. */
type Reading = () => number | undefined | Promise<number | undefined>;

const sources = new Map<Gauge, Map<string, Reading>>();

function gauge(name: string, help: string, labelNames: string[] = []): Gauge {
  const readings = new Map<string, Reading>();
  const made: Gauge = new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      made.reset();
      for (const [key, read] of readings) {
        const value = await Promise.resolve()
          .then(read)
          .catch(() => undefined);
        if (value === undefined || !Number.isFinite(value)) continue;
        if (labelNames.length === 0) made.set(value);
        else made.set(JSON.parse(key) as Record<string, string>, value);
      }
    },
  });
  sources.set(made, readings);
  return made;
}

const gauges = {
  indexSize: gauge('tessera_token_index_tokens', 'Tokens held by this process’s token index'),
  indexPosition: gauge('tessera_token_index_position', 'Log position the token index has applied'),
  indexLag: gauge('tessera_token_index_lag_events', 'Events between the log head and the token index'),
  logHead: gauge('tessera_event_log_head_position', 'Position of the last event in the log (read at scrape time)'),
  pool: gauge('tessera_db_pool_connections', 'PostgreSQL pool connections by state (total, idle, waiting: requests queued for one)', [
    'state',
  ]),
};

function readWith(target: Gauge, read: Reading, labels: Record<string, string> = {}): void {
  sources.get(target)!.set(JSON.stringify(labels), read);
}

/** How long a scrape waits for the log head before leaving it out. */
const HEAD_READ_TIMEOUT_MS = 1_000;

interface Queryable {
  query(sql: string): Promise<{ rows: { position: string }[] }>;
}

/** The token index's size, position and lag behind the log head, read at scrape time. */
export function observeTokenIndex(index: { size(): number; position(): number }, pool: Queryable): void {
  readWith(gauges.indexSize, () => index.size());
  readWith(gauges.indexPosition, () => index.position());
  readWith(gauges.logHead, () => readHead(pool));
  readWith(gauges.indexLag, async () => {
    const head = await readHead(pool);
    return head === undefined ? undefined : Math.max(0, head - index.position());
  });
}

async function readHead(pool: Queryable): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), HEAD_READ_TIMEOUT_MS)));
  const read = pool.query('SELECT position FROM event_store.head').then((result) => Number(result.rows[0]?.position));
  read.catch(() => undefined);
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}

/** The pg pool's connections and the requests waiting for one. */
export function observePool(pool: { totalCount: number; idleCount: number; waitingCount: number }): void {
  readWith(gauges.pool, () => pool.totalCount, { state: 'total' });
  readWith(gauges.pool, () => pool.idleCount, { state: 'idle' });
  readWith(gauges.pool, () => pool.waitingCount, { state: 'waiting' });
}

/** Seconds since `started` (a `performance.now()` reading). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
