// createApp(deps): the middleware every request passes, the sub-apps and routes, and how refusals are answered.
import type { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import { factory, type AppDeps, type AppEnv } from './env.ts';
import { NotFound } from './errors.ts';
import { jsonErrors, negotiatedErrors } from './error-handler.ts';
import { requestGuards } from './request-guards.ts';
import { secretTap } from './secret-tap.ts';
import { opsRoutes } from './routes/ops.ts';
import { PAGE_STYLE_SOURCE } from './pages.ts';
import { loadPopupPage } from './popup-page.ts';
import { LaunchesInFlight } from './launch/handoffs.ts';
import { ItemReads } from './popup/item-reads.ts';
import { launchRoutes } from './routes/launch.ts';
import { defaultCompany } from './companies/company.ts';
import { systemRoutes } from './routes/system.ts';
import { apiRoutes } from './routes/api.ts';
import { staticRoutes } from './routes/static.ts';
import { embedRoutes } from './routes/embed.ts';
import { sandboxRoutes } from './routes/sandbox.ts';
import { adminRoutes, connectRoutes } from './routes/connect.ts';
import { fetchListRoutes } from './routes/fetch-list.ts';
import { sandboxFetchListRoutes } from './routes/sandbox-fetch-list.ts';

const COMPANY_PICKER = /^\/embed\/v1\/companies\/([a-z0-9]{6,32})\/picker$/;

export function createApp(given: AppDeps) {
  // The configuration's own company is made of the parts given here (tests give their own store or sources).
  const deps = {
    ...given,
    companies: given.registry.directory(defaultCompany(given)),
    launches: given.launches ?? new LaunchesInFlight(),
    itemReads: given.itemReads ?? new ItemReads(),
  };
  const app = factory.createApp();

  // Security headers on every response. Only the picker page for other hosts (/embed/v1/picker) may be framed,
  // and only by the origins in EMBED_ALLOWED_ORIGINS.
  // The popup page, read once: the launches answer with it, and its inline script and style are allowed by hash.
  const popupPage = loadPopupPage(deps.distDir);
  const headersFor = (framable: boolean, shared: boolean, origins: readonly string[] = deps.config.embedOrigins) => {
    const frameAncestors = framable && origins.length ? [...origins] : ["'none'"];
    return secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        // The popup page's inline script (it claims the session while the page's module loads) and style, by hash.
        scriptSrc: ["'self'", ...(popupPage?.scripts ?? [])],
        styleSrc: ["'self'", PAGE_STYLE_SOURCE, ...(popupPage?.styles ?? [])],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors,
      },
      referrerPolicy: 'no-referrer',
      xContentTypeOptions: 'nosniff',
      // Concur watches the popup through window.opener; same-origin COOP would sever that link.
      crossOriginOpenerPolicy: false,
      // The element bundle and the embed API are fetched by the allowed origins' pages.
      crossOriginResourcePolicy: shared ? 'cross-origin' : 'same-origin',
      // X-Frame-Options cannot name origins: the picker page relies on frame-ancestors alone.
      xFrameOptions: framable ? false : 'DENY',
    });
  };
  // The test suite's secret scan sees every answer (the fake Concur, under /sandbox/, hands out tokens by design).
  const tap = secretTap();
  if (tap) {
    app.use(async (c, next) => {
      await next();
      if (!c.req.path.startsWith('/sandbox/'))
        tap.response(c.req.path, [...c.res.headers], new Uint8Array(await c.res.clone().arrayBuffer()));
    });
  }
  const strict = headersFor(false, false);
  const picker = headersFor(true, false);
  const shared = headersFor(false, true);
  /** A registered company's picker page may be framed by that company's origins only. */
  const companyPickers = new Map<string, ReturnType<typeof headersFor>>();
  const pickerOf = (origins: readonly string[]) => {
    const key = origins.join(' ');
    let headers = companyPickers.get(key);
    if (!headers) companyPickers.set(key, (headers = headersFor(true, false, origins)));
    return headers;
  };
  app.use(async (c, next) => {
    if (c.req.path === '/embed/v1/picker') return picker(c, next);
    const company = COMPANY_PICKER.exec(c.req.path)?.[1];
    if (company) return pickerOf((await deps.companies.get(company))?.embed.origins ?? [])(c, next);
    const embedded = deps.config.embedOrigins.length || c.req.path.startsWith('/embed/v1/companies/');
    return (c.req.path.startsWith('/embed/v1/') && embedded ? shared : strict)(c, next);
  });

  app.use(async (c, next) => {
    const started = performance.now();
    const requestId = crypto.randomUUID();
    let log: Logger | undefined;
    c.set('requestId', requestId);
    c.set('log', () => (log ??= deps.logger.child({ requestId })));
    await next();
    // The path only: launch query strings carry an authorization code.
    deps.logger.info(
      {
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });

  // The sub-apps only programs call answer every refusal in JSON, the guards' included; they come first, and
  // their catch-alls answer every path under them, so the app's own guards below never run for those.
  const guards = requestGuards(deps.config);
  const forPrograms = (sub: Hono<AppEnv>) =>
    factory
      .createApp()
      .onError(jsonErrors(deps.logger))
      .use(...guards)
      .route('/', sub);
  app.route('/api', forPrograms(apiRoutes(deps)));
  app.route('/embed', forPrograms(embedRoutes(deps)));
  app.route('/ops/company', forPrograms(adminRoutes(deps)));
  // Concur's Fetch List callout, at each company's own path: XML refusals, its guards run by itself.
  app.route('/', fetchListRoutes(deps));

  // Pages and everything else: JSON when the client asks for it, a page a person can read otherwise.
  app.use(...guards);
  app.route('/', opsRoutes(deps));
  app.route('/', launchRoutes(deps, popupPage));
  app.route('/', systemRoutes(deps));
  app.route('/', connectRoutes(deps));
  if (deps.sandbox) {
    app.route('/', sandboxRoutes(deps, deps.sandbox));
    const dispatch = (request: Request) => app.request(request);
    app.route('/', sandboxFetchListRoutes(deps, dispatch));
  }
  app.route('/', staticRoutes(deps));

  const answer = negotiatedErrors(deps.logger);
  app.notFound((c) => answer(new NotFound(), c));
  app.onError(answer);
  return app;
}
