// The popup's API: claim the session, read the context, search, commit the choice to Concur. Each route validates,
// calls the popup's use case (server/popup/) and answers; every refusal is a named error, answered in JSON.
import { deleteCookie, getCookie } from 'hono/cookie';
import type { Context } from 'hono';
import { factory, type AppDeps, type AppEnv } from '../env.ts';
import { companyOfToken, companyScope } from '../companies/record.ts';
import { HANDOFF_COOKIE, handoffCookie } from './launch.ts';
import { validated } from './validation.ts';
import { bearerToken } from './bearer.ts';
import { sessionKey } from '../launch/launch.ts';
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

export function apiRoutes(
  deps: PopupDeps & Pick<AppDeps, 'logger' | 'companies'> & Required<Pick<AppDeps, 'launches' | 'itemReads'>>,
) {
  const api = factory.createApp();
  api.onError(jsonErrors(deps.logger));
  const cookie = handoffCookie(deps.config.publicUrl.startsWith('https:'));

  api.post('/session', async (c) => {
    const handoff = getCookie(c, HANDOFF_COOKIE, cookie.prefix);
    deleteCookie(c, HANDOFF_COOKIE, { path: cookie.path, secure: cookie.prefix === 'host', prefix: cookie.prefix });
    // The code names its company; the session is looked for only in that company's scope. Its launch may still be
    // exchanging the authorization code: the claim waits for it, and says why if Concur refused.
    const company = handoff ? await deps.companies.get(companyOfToken(handoff)) : undefined;
    const token = handoff && company ? await deps.launches.claim(company.store, handoff) : undefined;
    if (!token) throw new SessionMissing();
    c.header('Cache-Control', 'no-store');
    return c.json({ token } satisfies SessionClaim);
  });

  api.use(
    '*',
    bearerToken(
      async (token, c) => {
        const company = await deps.companies.get(companyOfToken(token));
        if (!company) return false;
        const key = sessionKey(token);
        const session = current(await company.store.getSession(key));
        if (!session) return false;
        c.set('session', session);
        c.set('sessionKey', key);
        c.set('company', company);
        return true;
      },
      () => new SessionMissing(),
    ),
  );

  /** The popup's collaborators for this request: its company's store, fields, connection and item access. */
  const forCompany = (c: Context<AppEnv>): PopupDeps => ({ ...deps, ...c.get('company') });

  api.get('/context', async (c) => c.json(await readContext(forCompany(c), c.get('sessionKey'), c.get('session'))));

  api.get(
    '/search',
    deps.metrics.timeSearches('popup'),
    // Counted per session, under its company's scope.
    searchLimit(deps, 'popup', (c) => companyScope(c.get('company').id) + c.get('sessionKey')),
    validated('query', SearchRequest),
    async (c) =>
      c.json(await searchForSession(forCompany(c), c.get('sessionKey'), c.get('session'), c.req.valid('query'))),
  );

  api.post('/commit', validated('json', CommitRequest), async (c) =>
    c.json(await commit(forCompany(c), c.get('sessionKey'), c.get('session'), c.req.valid('json'), c.get('log')())),
  );

  api.all('*', () => {
    throw new NotFound();
  });
  return api;
}
