// createApp(deps): middleware, route mounting and the one error handler.
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { bodyLimit } from 'hono/body-limit';
import { accepts } from 'hono/accepts';
import type { Logger } from 'pino';
import type { AppDeps, AppEnv } from './env.ts';
import { AppError, BodyTooLarge, FlowAnswerInvalid, HostNotServed, TooManyRequests } from './errors.ts';
import { secretTap } from './secret-tap.ts';
import { opsRoutes } from './routes/ops.ts';
import { errorPage, PAGE_STYLE_SOURCE } from './pages.ts';
import { launchRoutes } from './routes/launch.ts';
import { systemRoutes } from './routes/system.ts';
import { apiRoutes } from './routes/api.ts';
import { staticRoutes } from './routes/static.ts';
import { embedRoutes } from './routes/embed.ts';
import { sandboxRoutes } from './routes/sandbox.ts';
import { connectRoutes } from './routes/connect.ts';
import type { ServerErrorCode } from '../src/contract/error-codes.ts';

/** JSON for programs, HTML for people: the answer follows what the client asks for. */
export function wantsJson(c: Context): boolean {
  if (c.req.path.startsWith('/api/') || (c.req.path.startsWith('/embed/') && c.req.path !== '/embed/v1/picker'))
    return true;
  return (
    accepts(c, { header: 'Accept', supports: ['text/html', 'application/json'], default: 'text/html' }) ===
    'application/json'
  );
}

/** The largest request body any route accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * The sandbox signs launches with publicly known credentials and holds a fake Concur: it answers only requests
 * addressed to its own host (PUBLIC_URL's, or a loopback name on the same port). A web page whose own name
 * resolves to 127.0.0.1 (DNS rebinding) sends its own name in Host, and is refused.
 */
function sandboxHostCheck(publicUrl: string) {
  const own = new URL(publicUrl);
  const port = own.port || (own.protocol === 'https:' ? '443' : '80');
  const allowed = new Set([own.host.toLowerCase(), ...['localhost', '127.0.0.1', '[::1]'].map((h) => `${h}:${port}`)]);
  return async (c: Context<AppEnv>, next: () => Promise<void>) => {
    const host = (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
    if (!allowed.has(host))
      throw new HostNotServed(`The sandbox answers only at ${own.host}, not at ${host.slice(0, 100)}.`);
    await next();
  };
}

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  // Security headers on every response. Only the picker page for other hosts (/embed/v1/picker) may be framed,
  // and only by the origins in EMBED_ALLOWED_ORIGINS.
  const headersFor = (framable: boolean, shared: boolean) => {
    const frameAncestors = framable && deps.config.embedOrigins.length ? deps.config.embedOrigins : ["'none'"];
    return secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", PAGE_STYLE_SOURCE],
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
  app.use((c, next) => {
    if (c.req.path === '/embed/v1/picker') return picker(c, next);
    return (c.req.path.startsWith('/embed/v1/') && deps.config.embedOrigins.length ? shared : strict)(c, next);
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

  // No answer needs a large body (a commit is a code or a wizard's answers): anything bigger is refused before it is
  // read, by its Content-Length, or as soon as a streamed body passes the limit. The connection is then closed, so
  // the rest is not read either.
  // GET and HEAD carry no body, and Node hands none to the app, so bodyLimit never sees one: a request that declares
  // one anyway is refused outright, before Node reads it on the connection's behalf.
  app.use(async (c, next) => {
    const m = c.req.method;
    if (
      (m === 'GET' || m === 'HEAD') &&
      (Number(c.req.header('content-length') ?? 0) > 0 || c.req.header('transfer-encoding'))
    ) {
      c.header('Connection', 'close');
      throw new BodyTooLarge(`A ${m} request carries no body; this one declares one.`);
    }
    await next();
  });
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => {
        c.header('Connection', 'close');
        throw new BodyTooLarge(
          `The request body is larger than ${MAX_BODY_BYTES / 1024} KB, more than any request to this connector needs.`,
        );
      },
    }),
  );

  if (deps.config.sandbox) app.use(sandboxHostCheck(deps.config.publicUrl));

  app.route('/', opsRoutes(deps));
  app.route('/', launchRoutes(deps));
  app.route('/', systemRoutes(deps));
  app.route('/api', apiRoutes(deps));
  app.route('/', connectRoutes(deps));
  app.route('/', embedRoutes(deps));
  if (deps.sandbox) app.route('/', sandboxRoutes(deps, deps.sandbox));
  app.route('/', staticRoutes(deps));

  app.notFound((c) => respondError(c, 404, 'not_found', 'Not found', 'There is nothing at this address.'));

  app.onError((err, c) => {
    if (err instanceof AppError) {
      deps.logger.info(
        {
          requestId: c.get('requestId'),
          errorCode: err.code,
          status: err.status,
          correlationId: err.correlationId,
          ...err.logContext,
        },
        err.message,
      );
      if (err instanceof TooManyRequests) c.header('Retry-After', String(err.retryAfterS));
      const extra =
        err instanceof FlowAnswerInvalid
          ? { step: err.step, ...(err.problem ? { problem: err.problem } : {}) }
          : undefined;
      return respondError(c, err.status, err.code, err.title, err.message, err.correlationId, extra);
    }
    if (err instanceof HTTPException) {
      // Hono's own refusals (a malformed JSON body, a bad Basic header) keep their status and headers, in our format.
      const res = err.getResponse();
      if (!wantsJson(c) || res.headers.get('content-type')?.includes('application/json')) return res;
      const challenge = res.headers.get('www-authenticate');
      if (challenge) c.header('WWW-Authenticate', challenge);
      return c.json(
        {
          error: {
            code: err.status === 401 ? 'unauthorized' : 'invalid_request',
            message: err.message || res.statusText,
          },
        },
        err.status,
      );
    }
    const reference = crypto.randomUUID();
    (c.get('log')?.() ?? deps.logger).error({ reference, err }, 'unexpected error');
    return respondError(
      c,
      500,
      'internal_error',
      'Something went wrong',
      'The connector hit an unexpected problem. Please try again.',
      reference,
    );
  });

  return app;
}

function respondError(
  c: Context<AppEnv>,
  status: number,
  code: ServerErrorCode,
  title: string,
  message: string,
  reference?: string,
  extra?: Record<string, unknown>,
) {
  c.status(status as 400);
  if (wantsJson(c)) {
    return c.json({ error: { code, message, ...(reference ? { correlationId: reference } : {}), ...extra } });
  }
  return c.html(errorPage({ title, message, reference }));
}
