// A bearer token (RFC 6750) checked by the route's own rule; a request without a valid one is refused with the
// route's named error, answered in its sub-app's format like every other refusal.
import type { Context } from 'hono';
import { factory, type AppEnv } from '../env.ts';
import type { AppError } from '../errors.ts';

/** RFC 6750's b64token after "Bearer ". */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

/** Why a request was refused: no Authorization header, one that is not a bearer token, or a token not accepted. */
export type BearerRefusal = 'missing' | 'malformed' | 'invalid';

export function bearerToken(
  verify: (token: string, c: Context<AppEnv>) => boolean | Promise<boolean>,
  refuse: (why: BearerRefusal) => AppError,
) {
  return factory.createMiddleware(async (c, next) => {
    const header = c.req.header('Authorization');
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    const why: BearerRefusal | undefined =
      header === undefined ? 'missing' : !token ? 'malformed' : (await verify(token, c)) ? undefined : 'invalid';
    if (why) {
      const error = refuse(why);
      error.headers = {
        ...error.headers,
        'WWW-Authenticate':
          why === 'missing' ? 'Bearer' : `Bearer error="${why === 'invalid' ? 'invalid_token' : 'invalid_request'}"`,
      };
      throw error;
    }
    await next();
  });
}
