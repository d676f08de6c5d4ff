// Operations: /healthz (the process is up), /readyz (store and configuration ready, not shutting down), and
// Prometheus metrics at /metrics.
import { factory, type AppDeps } from '../env.ts';

export function opsRoutes(deps: Pick<AppDeps, 'store' | 'logger' | 'metrics' | 'shutdown'>) {
  const r = factory.createApp();
  r.get('/healthz', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
  r.get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    const checks: Record<string, string> = {};
    // The store answers a harmless read; configuration was checked at start (the app would not exist otherwise).
    // The reason goes to the log, not to whoever can reach this endpoint.
    checks.store = await deps.store.recent('readyz-probe').then(
      () => 'ok',
      (e: Error & { logContext?: object }) => {
        deps.logger.warn({ cause: e.message, ...e.logContext }, 'readiness: the store is failing');
        return 'failing';
      },
    );
    checks.configuration = 'ok';
    checks.shutdown = deps.shutdown.aborted ? 'shutting down' : 'no';
    const ready = checks.store === 'ok' && checks.shutdown === 'no';
    return c.json({ status: ready ? 'ready' : 'not ready', checks }, ready ? 200 : 503);
  });
  r.get('/metrics', async (c) => {
    c.header('Cache-Control', 'no-store');
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  return r;
}
