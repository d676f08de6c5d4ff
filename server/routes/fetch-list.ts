// POST /concur/list/v1.2/fetch, or the path a company configured: Concur's Fetch List callout (protocol sheet §9).
// The connector registration's HTTP Basic pair names the company (as for Test Connection, and throttled with it);
// its fields configuration says which catalog answers the list. Every refusal is answered in XML, never a page.
import type { Context, MiddlewareHandler } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { every } from 'hono/combine';
import { factory, type AppDeps, type AppEnv } from '../env.ts';
import { AppError, FetchListRefused, NotFound } from '../errors.ts';
import { xmlErrors } from '../error-handler.ts';
import { basicUserName, connectorPairGuard } from '../rate-limits.ts';
import { requestGuards } from '../request-guards.ts';
import { configuredPath, DEFAULT_FETCH_LIST_PATH } from '../fetch-list/config.ts';
import { readFetchListRequest } from '../fetch-list/request.ts';
import { fetchListResponse } from '../fetch-list/xml.ts';

type Deps = Pick<AppDeps, 'config' | 'store' | 'companies' | 'registry' | 'sources' | 'logger'>;

/**
 * Whether a request is for some company's Fetch List endpoint: the documented path, or one a company configured.
 * Registered companies' paths are looked for in POSTs only (Concur's callouts), so a page's GET costs two compares.
 */
function fetchListPaths(deps: Pick<Deps, 'registry' | 'sources'>): (c: Context<AppEnv>) => boolean {
  const registered = new Map<string, { updatedAt: number; path: string }>();
  return (c) => {
    const path = c.req.path;
    if (path === DEFAULT_FETCH_LIST_PATH || deps.sources.fetchList()?.path === path) return true;
    if (c.req.method !== 'POST') return false;
    for (const record of deps.registry.records()) {
      let kept = registered.get(record.id);
      if (kept?.updatedAt !== record.updatedAt)
        registered.set(record.id, (kept = { updatedAt: record.updatedAt, path: configuredPath(record.fields) }));
      if (kept.path === path) return true;
    }
    return false;
  };
}

/**
 * Answers a company's Fetch List endpoints; any other request goes on to the rest of the app. Mounted before the
 * app's own request guards: this runs them itself, so that a body too large is refused in XML too.
 */
export function fetchListRoutes(deps: Deps) {
  const guard = connectorPairGuard(deps);
  const matched = new WeakMap<Context, string>();
  // Hono's basicAuth answers 401 with WWW-Authenticate; the registry compares every pair in constant time.
  const check: MiddlewareHandler<AppEnv> = basicAuth({
    realm: 'Concur connector',
    verifyUser: async (username, password, c) => {
      const found = await deps.companies.withCredentials(username, password);
      if (found) matched.set(c, found.id);
      return found !== undefined;
    },
  });
  /** The company whose pair the request carries; past the limit of wrong pairs, even a right one is refused. */
  const companyOf = async (c: Context<AppEnv, string>) => {
    const id = await guard.guessing(
      c,
      async () => {
        await check(c, () => Promise.resolve());
        return matched.get(c)!;
      },
      basicUserName(c),
    );
    const company = await deps.companies.get(id);
    if (!company) throw new NotFound('The company of this user name is no longer served by the connector.');
    return company;
  };

  const answer = factory.createMiddleware(async (c): Promise<Response> => {
    const company = await companyOf(c);
    try {
      const lists = company.sources.fetchList();
      if ((lists?.path ?? DEFAULT_FETCH_LIST_PATH) !== c.req.path)
        throw new NotFound("This company's Fetch List endpoint is another path (fetchList.path in its fields).");
      // The protocol sheet's §3: Test Connection may call the service's endpoint itself.
      if (c.req.method === 'GET') return c.text('OK');
      const request = readFetchListRequest(await c.req.text());
      if (!lists)
        throw new FetchListRefused(
          'list_unknown',
          'No Concur list is mapped for Fetch List in the connector (fetchList in the fields configuration).',
        );
      const items = lists.find(request.listName, request.listKey).search(request);
      c.header('Cache-Control', 'no-store');
      return c.body(fetchListResponse(items), 200, { 'Content-Type': 'application/xml; charset=utf-8' });
    } catch (error) {
      if (error instanceof AppError) error.logContext = { ...error.logContext, company: company.id };
      throw error;
    }
  });
  const serve = every(...requestGuards(deps.config), answer);
  const served = fetchListPaths(deps);

  return factory
    .createApp()
    .onError(xmlErrors(deps.logger))
    .on(['GET', 'POST'], '*', (c, next) => (served(c) ? serve(c, next) : next()));
}
