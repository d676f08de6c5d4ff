// The popup's API: claim the session, read the context, search, commit the choice to Concur. Each route validates,
// calls the popup's use case (server/popup/) and answers; every refusal is a named error, answered in JSON.
import { deleteCookie, getCookie } from 'hono/cookie';
import { factory, type AppDeps } from '../env.ts';
import { HANDOFF_COOKIE, handoffCookie } from './launch.ts';
import { validated } from './validation.ts';
import { bearerToken } from './bearer.ts';
import { claimSession, sessionKey } from '../launch/launch.ts';
import { NotFound, SessionMissing } from '../errors.ts';
import { jsonErrors } from '../error-handler.ts';
import { searchLimit } from '../rate-limits.ts';
import { CommitRequest, SearchRequest, type SessionClaim } from '../../src/contract/api.ts';
import type { PopupDeps } from '../popup/deps.ts';
import { readContext } from '../popup/context.ts';
import { searchForSession } from '../popup/search.ts';
import { commit } from '../popup/commit.ts';
import type { Session } from '../sessions/session.ts';

/** A session kept from before v1 was removed (they carried no item) counts as ended. */
const current = (found: Session | undefined) =>
  (found as { version?: number } | undefined)?.version === 4 ? found : undefined;

export function apiRoutes(deps: PopupDeps & Pick<AppDeps, 'logger'>) {
  const api = factory.createApp();
  api.onError(jsonErrors(deps.logger));
  const cookie = handoffCookie(deps.config.publicUrl.startsWith('https:'));

  api.post('/session', async (c) => {
    const handoff = getCookie(c, HANDOFF_COOKIE, cookie.prefix);
    deleteCookie(c, HANDOFF_COOKIE, { path: cookie.path, secure: cookie.prefix === 'host', prefix: cookie.prefix });
    const token = handoff ? await claimSession(deps.store, handoff, deps.now()) : undefined;
    if (!token) throw new SessionMissing();
    c.header('Cache-Control', 'no-store');
    return c.json({ token } satisfies SessionClaim);
  });

  api.use(
    '*',
    bearerToken(
      async (token, c) => {
        const key = sessionKey(token);
        const session = current(await deps.store.getSession(key));
        if (!session) return false;
        c.set('session', session);
        c.set('sessionKey', key);
        return true;
      },
      () => new SessionMissing(),
    ),
  );

  api.get('/context', async (c) => c.json(await readContext(deps, c.get('sessionKey'), c.get('session'))));

  api.get(
    '/search',
    deps.metrics.timeSearches('popup'),
    searchLimit(deps, 'popup', (c) => c.get('sessionKey')),
    validated('query', SearchRequest),
    async (c) => c.json(await searchForSession(deps, c.get('sessionKey'), c.get('session'), c.req.valid('query'))),
  );

  api.post('/commit', validated('json', CommitRequest), async (c) =>
    c.json(await commit(deps, c.get('sessionKey'), c.get('session'), c.req.valid('json'), c.get('log')())),
  );

  api.all('*', () => {
    throw new NotFound();
  });
  return api;
}
