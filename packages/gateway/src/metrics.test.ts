import { describe, expect, it } from 'vitest';
import { Counter, GatewayMetrics, Histogram } from './metrics.js';

describe('GatewayMetrics', () => {
  it('renders counters with labels in the Prometheus text format, escaping label values', () => {
    const c = new Counter('x_total', 'Things.');
    c.inc({ effect: 'allow', kind: 'http.request' });
    c.inc({ effect: 'allow', kind: 'http.request' }, 2);
    c.inc({ reason: 'a "quoted"\\ line\nbreak' });
    expect(c.render()).toBe(
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{effect="allow",kind="http.request"} 3',
        'x_total{reason="a \\"quoted\\"\\\\ line\\nbreak"} 1',
        '',
      ].join('\n'),
    );
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const h = new Histogram('lat_seconds', 'Latency.', [0.01, 0.1, 1]);
    h.observe(0.005);
    h.observe(0.05);
    h.observe(0.05);
    h.observe(5);
    expect(h.render()).toBe(
      [
        '# HELP lat_seconds Latency.',
        '# TYPE lat_seconds histogram',
        'lat_seconds_bucket{le="0.01"} 1',
        'lat_seconds_bucket{le="0.1"} 3',
        'lat_seconds_bucket{le="1"} 3',
        'lat_seconds_bucket{le="+Inf"} 4',
        'lat_seconds_sum 5.105',
        'lat_seconds_count 4',
        '',
      ].join('\n'),
    );
  });

  it('reads gauges when rendered', () => {
    const m = new GatewayMetrics();
    let held = 0;
    m.addGauge({
      name: 'regate_held_requests',
      help: 'Held.',
      read: () => [{ labels: { protocol: 'http' }, value: held }],
    });
    held = 3;
    expect(m.render()).toContain('regate_held_requests{protocol="http"} 3\n');
    expect(m.render()).toContain('# TYPE regate_decisions_total counter');
  });
});
