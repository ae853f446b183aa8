/**
 * The gateway's metrics, served at /metrics in the Prometheus text exposition format (version 0.0.4),
 * written by hand: a counter is a map from label values to a number, a histogram keeps cumulative-ready
 * bucket counts, and gauges are read when scraped. Cheap enough to update on every request.
 */
import { LATENCY_BUCKETS } from '@regate/engine';

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function num(n: number): string {
  if (n === Number.POSITIVE_INFINITY) return '+Inf';
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

export class Counter {
  readonly #values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.#values.get(key);
    if (entry) entry.value += by;
    else this.#values.set(key, { labels, value: by });
  }

  get(labels: Labels = {}): number {
    return this.#values.get(labelText(labels))?.value ?? 0;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const { labels, value } of this.#values.values())
      out += `${this.name}${labelText(labels)} ${num(value)}\n`;
    return out;
  }
}

export class Histogram {
  readonly #counts: number[];
  #count = 0;
  #sum = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.#counts = new Array<number>(buckets.length).fill(0);
  }

  observe(seconds: number): void {
    this.#count++;
    this.#sum += seconds;
    for (let i = 0; i < this.buckets.length; i++) {
      if (seconds <= this.buckets[i]!) {
        this.#counts[i]!++;
        return;
      }
    }
  }

  get count(): number {
    return this.#count;
  }

  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += this.#counts[i]!;
      out += `${this.name}_bucket{le="${num(this.buckets[i]!)}"} ${cumulative}\n`;
    }
    out += `${this.name}_bucket{le="+Inf"} ${this.#count}\n`;
    out += `${this.name}_sum ${num(this.#sum)}\n${this.name}_count ${this.#count}\n`;
    return out;
  }
}

/** A gauge read at scrape time. */
export interface Gauge {
  name: string;
  help: string;
  read(): { labels?: Labels; value: number }[];
}

function renderGauge(g: Gauge): string {
  let out = `# HELP ${g.name} ${g.help}\n# TYPE ${g.name} gauge\n`;
  for (const { labels, value } of g.read()) out += `${g.name}${labelText(labels ?? {})} ${num(value)}\n`;
  return out;
}

export const AUDIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class GatewayMetrics {
  readonly decisions = new Counter('regate_decisions_total', 'Decisions made, by effect and action kind.');
  readonly decisionSeconds = new Histogram(
    'regate_decision_duration_seconds',
    'Time to decide an action, policy evaluation included.',
    LATENCY_BUCKETS,
  );
  readonly auditAppendSeconds = new Histogram(
    'regate_audit_append_duration_seconds',
    'Time from handing an event to the audit log to its commit (successful appends).',
    AUDIT_BUCKETS,
  );
  readonly auditAppendFailures = new Counter(
    'regate_audit_append_failures_total',
    'Audit appends that failed (each blocked its action or admin call), by error code.',
  );
  readonly authFailures = new Counter(
    'regate_authentication_failures_total',
    'Credentials refused, by error code.',
  );
  readonly approvalsOpened = new Counter('regate_approvals_opened_total', 'Approval requests opened.');
  readonly adminRequests = new Counter(
    'regate_admin_requests_total',
    'Admin API calls answered, by HTTP status.',
  );
  readonly #gauges: Gauge[] = [];

  addGauge(gauge: Gauge): void {
    this.#gauges.push(gauge);
  }

  render(): string {
    return [
      this.decisions.render(),
      this.decisionSeconds.render(),
      this.auditAppendSeconds.render(),
      this.auditAppendFailures.render(),
      this.authFailures.render(),
      this.approvalsOpened.render(),
      this.adminRequests.render(),
      ...this.#gauges.map(renderGauge),
    ].join('');
  }
}
