import type { Registry } from 'prom-client';

/** What prom-client's registry asks of a metric: its name, help, type, and current values. */
interface MetricValue {
  metricName?: string;
  labels: Record<string, string | number>;
  value: number;
}

/** One counter of a family, bound to its label values once: `inc` is one addition, no allocation. */
export class CounterCell {
  value = 0;
  constructor(readonly labels: Record<string, string>) {}

  inc(by = 1): void {
    this.value += by;
  }
}

/** One histogram of a family, bound to its label values once: `observe` is a short scan of the bounds. */
export class HistogramCell {
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Record<string, string>,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.buckets[i] += 1;
        return;
      }
    }
  }
}

/**
 * A metric family whose children are bound once (per route, subject, reason) and kept, so the hot
 * paths only add to numbers; the text format is written at scrape time by prom-client's registry.
 */
abstract class Family<Cell extends { labels: Record<string, string> }> {
  private readonly cells = new Map<string, Cell>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  /** The cell of these label values (created on first use; keep it where the values are known). */
  child(...values: string[]): Cell {
    const key = values.join('\u0000');
    let cell = this.cells.get(key);
    if (cell === undefined) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((label, index) => (labels[label] = values[index] ?? ''));
      cell = this.create(labels);
      this.cells.set(key, cell);
    }
    return cell;
  }

  /** Adds the family to the registry; one without labels shows 0 from the start. */
  register(registry: Registry): this {
    if (this.labelNames.length === 0) this.child();
    registry.registerMetric(this as never);
    return this;
  }

  protected all(): Iterable<Cell> {
    return this.cells.values();
  }

  protected abstract create(labels: Record<string, string>): Cell;
}

export class CounterFamily extends Family<CounterCell> {
  readonly type = 'counter';

  protected create(labels: Record<string, string>): CounterCell {
    return new CounterCell(labels);
  }

  get(): { name: string; help: string; type: string; values: MetricValue[]; aggregator: string } {
    const values = [...this.all()].map((cell) => ({ labels: cell.labels, value: cell.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

/** Latency buckets in seconds, from a quarter millisecond (a decision) to ten seconds (a stuck dependency). */
export const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class HistogramFamily extends Family<HistogramCell> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[] = LATENCY_BUCKETS,
  ) {
    super(name, help, labelNames);
  }

  protected create(labels: Record<string, string>): HistogramCell {
    return new HistogramCell(labels, this.bounds);
  }

  get(): { name: string; help: string; type: string; values: MetricValue[]; aggregator: string } {
    const values: MetricValue[] = [];
    for (const cell of this.all()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += cell.buckets[index];
        values.push({ metricName: `${this.name}_bucket`, labels: { ...cell.labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...cell.labels, le: '+Inf' }, value: cell.count });
      values.push({ metricName: `${this.name}_sum`, labels: cell.labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels: cell.labels, value: cell.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}
