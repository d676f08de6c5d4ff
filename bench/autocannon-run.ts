// One autocannon run as the load benches print it: requests/s, p50/p99, errors (any unexpected status, socket errors
// and timeouts) and the answers' size, in one line of the same columns for every bench.
import autocannon from 'autocannon';

export interface Figures {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  bytes: number;
}

/** One run; every answer whose status is not `expect` counts as an error, as do socket errors and timeouts. */
export async function measure(name: string, opts: autocannon.Options, expect = 200): Promise<Figures> {
  // A count (amount) takes precedence over the duration.
  const r = await autocannon(opts);
  const unexpected = Object.entries(r.statusCodeStats ?? {}).reduce(
    (n, [status, s]) => (Number(status) === expect ? n : n + (s.count ?? 0)),
    0,
  );
  return {
    // Requests over the run's own length: a run bounded by a count may last under a second.
    name,
    requests: r.requests.total,
    rps: r.requests.total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    // autocannon's errors include its timeouts.
    errors: r.errors + unexpected,
    bytes: Math.round(r.throughput.total / Math.max(1, r.requests.total)),
  };
}

/** A run's figures as one line. */
export const figuresRow = (f: Figures) =>
  `${f.name.padEnd(28)} ${String(Math.round(f.rps)).padStart(7)} req/s  ` +
  `p50 ${String(f.p50).padStart(4)} ms  p99 ${String(f.p99).padStart(4)} ms  ` +
  `errors ${f.errors}  (${f.requests} requests, ~${f.bytes} B answers)`;
