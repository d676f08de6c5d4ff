// What every request must pass before any route reads it: no body where none belongs, no body larger than any route
// needs, and in the sandbox, its own host name only.
import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import { factory, type AppEnv } from './env.ts';
import type { Config } from './config.ts';
import { BodyTooLarge, HostNotServed } from './errors.ts';

/** The largest request body any route accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * GET and HEAD carry no body, and Node hands none to the app, so bodyLimit never sees one: a request that declares
 * one anyway is refused outright, before Node reads it on the connection's behalf.
 */
const noBodyWhereNoneBelongs = factory.createMiddleware(async (c, next) => {
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

/**
 * No answer needs a large body (a commit is a code or a wizard's answers): anything bigger is refused before it is
 * read, by its Content-Length, or as soon as a streamed body passes the limit. The connection is then closed, so
 * the rest is not read either.
 */
const smallBodies = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => {
    c.header('Connection', 'close');
    throw new BodyTooLarge(
      `The request body is larger than ${MAX_BODY_BYTES / 1024} KB, more than any request to this connector needs.`,
    );
  },
});

/**
 * The sandbox signs launches with publicly known credentials and holds a fake Concur: it answers only requests
 * addressed to its own host (PUBLIC_URL's, or a loopback name on the same port). A web page whose own name
 * resolves to 127.0.0.1 (DNS rebinding) sends its own name in Host, and is refused.
 */
function sandboxHostOnly(publicUrl: string) {
  const own = new URL(publicUrl);
  const port = own.port || (own.protocol === 'https:' ? '443' : '80');
  const allowed = new Set([own.host.toLowerCase(), ...['localhost', '127.0.0.1', '[::1]'].map((h) => `${h}:${port}`)]);
  return factory.createMiddleware(async (c, next) => {
    const host = (c.req.header('host') ?? new URL(c.req.url).host).toLowerCase();
    if (!allowed.has(host))
      throw new HostNotServed(`The sandbox answers only at ${own.host}, not at ${host.slice(0, 100)}.`);
    await next();
  });
}

/** The guards, in the order they run. */
export function requestGuards(config: Pick<Config, 'sandbox' | 'publicUrl'>): MiddlewareHandler<AppEnv>[] {
  return [noBodyWhereNoneBelongs, smallBodies, ...(config.sandbox ? [sandboxHostOnly(config.publicUrl)] : [])];
}
