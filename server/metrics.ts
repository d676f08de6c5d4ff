// Prometheus metrics (prom-client): launches accepted and refused by reason, search latency, Concur call latency
// and failures by status. One registry per app, so tests and several apps in one process do not mix.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MiddlewareHandler } from 'hono';

export class Metrics {
  readonly registry = new Registry();
  readonly launches = new Counter({
    name: 'leu_launches_total',
    help: 'Launches from Concur, by version and outcome (accepted, or the refusal code).',
    labelNames: ['version', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly searches = new Histogram({
    name: 'leu_search_duration_seconds',
    help: 'Time to answer a search, by surface (popup, embed) and outcome.',
    labelNames: ['surface', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [this.registry],
  });
  readonly concurCalls = new Histogram({
    name: 'leu_concur_call_duration_seconds',
    help: 'Each attempt of a call to Concur, by call and HTTP status (or network, timeout).',
    labelNames: ['call', 'status'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly concurFailures = new Counter({
    name: 'leu_concur_call_failures_total',
    help: 'Calls to Concur that failed after retries, by call and status.',
    labelNames: ['call', 'status'] as const,
    registers: [this.registry],
  });
  readonly writes = new Counter({
    name: 'leu_writes_total',
    help: 'Write-backs to Concur, by outcome (written, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly auditLost = new Counter({
    name: 'leu_audit_records_lost_total',
    help: 'Write-back attempts the store could not keep in the audit log (each is in the error log instead).',
    registers: [this.registry],
  });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Middleware timing a search route, whatever the answer (the error handler has answered a failure by then). */
  timeSearches(surface: 'popup' | 'embed'): MiddlewareHandler {
    return async (c, next) => {
      const end = this.searches.startTimer({ surface });
      await next();
      end({ outcome: c.res.ok ? 'ok' : 'failed' });
    };
  }
}
