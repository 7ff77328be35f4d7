/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4 ("# HELP", "# TYPE", one sample per line; a histogram as cumulative
 * `_bucket{le="…"}` samples ending at `le="+Inf"`, then `_sum` and `_count`). Label values escape
 * `\`, `"` and newline; HELP text escapes `\` and newline.
 */

export type Labels = Readonly<Record<string, string>>;

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeLabel = (text: string): string => text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** A sample value as the format writes it: `+Inf`, `-Inf`, `NaN`, else the number. */
export function formatValue(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Number.isNaN(v)) return "NaN";
  return String(v);
}

function labelText(labels: Labels, extra?: readonly [string, string]): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
}

function checkLabels(metric: string, labels: Labels): void {
  for (const k of Object.keys(labels)) if (!LABEL.test(k) || k.startsWith("__") || k === "le") throw new Error(`metric ${metric}: invalid label name "${k}"`);
}

/** Samples keyed by their label set (labels in the order given: one order per metric). */
abstract class Metric<S> {
  protected readonly series = new Map<string, { labels: Labels; sample: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge" | "histogram",
  ) {
    if (!NAME.test(name)) throw new Error(`invalid metric name "${name}"`);
  }

  protected sample(labels: Labels, create: () => S): S {
    const key = labelText(labels);
    let found = this.series.get(key);
    if (found === undefined) {
      checkLabels(this.name, labels);
      found = { labels: { ...labels }, sample: create() };
      this.series.set(key, found);
    }
    return found.sample;
  }

  /** Drops every series (a gauge set anew from a fresh reading). */
  clear(): void {
    this.series.clear();
  }

  render(): string {
    const head = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    return head + [...this.series.values()].map(({ labels, sample }) => this.lines(labels, sample)).join("");
  }

  protected abstract lines(labels: Labels, sample: S): string;
}

export class Counter extends Metric<{ value: number }> {
  constructor(name: string, help: string) {
    super(name, help, "counter");
  }

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    this.sample(labels, () => ({ value: 0 })).value += by;
  }

  /** A counter read from elsewhere (the kernel's rule counters): set to its current total. */
  set(labels: Labels, value: number): void {
    this.sample(labels, () => ({ value: 0 })).value = value;
  }

  value(labels: Labels = {}): number {
    return this.series.get(labelText(labels))?.sample.value ?? 0;
  }

  protected lines(labels: Labels, s: { value: number }): string {
    return `${this.name}${labelText(labels)} ${formatValue(s.value)}\n`;
  }
}

export class Gauge extends Metric<{ value: number }> {
  constructor(name: string, help: string) {
    super(name, help, "gauge");
  }

  set(labels: Labels, value: number): void {
    this.sample(labels, () => ({ value: 0 })).value = value;
  }

  protected lines(labels: Labels, s: { value: number }): string {
    return `${this.name}${labelText(labels)} ${formatValue(s.value)}\n`;
  }
}

interface HistogramSample {
  readonly counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramSample> {
  readonly buckets: readonly number[];

  /** `buckets`: the upper bounds, increasing; `+Inf` is added. */
  constructor(name: string, help: string, buckets: readonly number[]) {
    super(name, help, "histogram");
    if (buckets.some((b, i) => i > 0 && b <= (buckets[i - 1] as number))) throw new Error(`histogram ${name}: buckets must increase`);
    this.buckets = buckets.filter((b) => b !== Infinity);
  }

  observe(value: number, labels: Labels = {}): void {
    const s = this.sample(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((le, i) => {
      if (value <= le) s.counts[i] = (s.counts[i] as number) + 1;
    });
    s.sum += value;
    s.count++;
  }

  count(labels: Labels = {}): number {
    return this.series.get(labelText(labels))?.sample.count ?? 0;
  }

  protected lines(labels: Labels, s: HistogramSample): string {
    const out = this.buckets.map((le, i) => `${this.name}_bucket${labelText(labels, ["le", formatValue(le)])} ${s.counts[i] ?? 0}\n`);
    out.push(`${this.name}_bucket${labelText(labels, ["le", "+Inf"])} ${s.count}\n`);
    out.push(`${this.name}_sum${labelText(labels)} ${formatValue(s.sum)}\n`, `${this.name}_count${labelText(labels)} ${s.count}\n`);
    return out.join("");
  }
}

/** The metrics of one process, rendered in registration order. */
export class Registry {
  private readonly metrics: { readonly name: string; render(): string }[] = [];

  private add<M extends { readonly name: string; render(): string }>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }

  render(): string {
    return this.metrics.map((m) => m.render()).join("");
  }
}

/** Seconds, from 1 ms to 30 s: apply and event → applied latencies. */
export const LATENCY_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
