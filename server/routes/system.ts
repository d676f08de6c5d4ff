// GET /system/v1.0/testconnection: what Concur's "Test Connection" button calls, with HTTP Basic. The pair names
// its company (the configuration's own, or a registered one); a registered company's rotation ends when its new
// pair is tested.
import { basicAuth } from 'hono/basic-auth';
import { factory, type AppDeps } from '../env.ts';
import { basicUserName, connectorPairGuard } from '../rate-limits.ts';

export function systemRoutes(deps: Pick<AppDeps, 'config' | 'store' | 'companies'>) {
  // The password also keys every launch signature: wrong guesses are throttled per address, like refused launches.
  const guard = connectorPairGuard(deps);
  // Hono's basicAuth answers 401 with WWW-Authenticate; the registry compares every pair in constant time.
  const check = basicAuth({
    realm: 'Concur connector',
    verifyUser: async (username, password) => {
      const found = await deps.companies.withCredentials(username, password);
      if (found) await deps.companies.confirmCredentials(found.id, found.pair);
      return found !== undefined;
    },
  });
  return factory.createApp().get(
    '/system/v1.0/testconnection',
    // Past the limit even the right password is refused, or the limit would single it out.
    (c, next) => guard.guessing(c, () => check(c, next), basicUserName(c)),
    (c) => c.text('OK'),
  );
}
