// GET /launchexternalurl/v4/form: Concur's signed launch; answers 303 to the popup app with a one-time hand-off.
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import type { AppDeps, AppEnv } from '../app.js';
import { HANDOFF_TTL_MS, startLaunchV4 } from '../launch/launch.js';
import { LaunchParamsInvalid } from '../errors.js';

export const HANDOFF_COOKIE = 'leu_handoff';

export function launchRoutes(deps: AppDeps) {
  const secure = deps.config.publicUrl.startsWith('https:');
  return new Hono<AppEnv>().get('/launchexternalurl/v4/form', async (c) => {
    const all = c.req.queries();
    const repeated = Object.keys(all).filter((k) => (all[k]?.length ?? 0) > 1);
    if (repeated.length) throw new LaunchParamsInvalid(`Concur's link names ${repeated.join(', ')} more than once.`);
    const { handoff } = await startLaunchV4(c.req.query(), { ...deps, credentials: deps.config.connector });
    // The popup trades this cookie for its session once; the app URL itself carries nothing.
    setCookie(c, HANDOFF_COOKIE, handoff, {
      httpOnly: true,
      secure,
      sameSite: 'Strict',
      path: '/api/session',
      maxAge: HANDOFF_TTL_MS / 1000,
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect('/app/', 303);
  });
}
