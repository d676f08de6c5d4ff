// GET /system/v1.0/testconnection: what Concur's "Test Connection" button calls, with HTTP Basic.
import { basicAuth } from 'hono/basic-auth';
import { factory, type AppDeps } from '../env.ts';
import { FailureGuard } from '../rate-limits.ts';

export function systemRoutes(deps: Pick<AppDeps, 'config' | 'store'>) {
  const { username, password } = deps.config.connector;
  // The password also keys every launch signature: wrong guesses are throttled per address, like refused launches.
  const guard = new FailureGuard(
    deps,
    'testconnection-refusals',
    'Too many wrong user names or passwords from this address. Wait a minute, then test the connection again.',
  );
  // Hono's basicAuth compares both values through a hash in constant time and answers 401 with WWW-Authenticate.
  const check = basicAuth({ username, password, realm: 'Concur connector' });
  return factory.createApp().get(
    '/system/v1.0/testconnection',
    // Past the limit even the right password is refused, or the limit would single it out.
    (c, next) => guard.guessing(c, () => check(c, next)),
    (c) => c.text('OK'),
  );
}
