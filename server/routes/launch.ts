// Concur's signed launches (v4, and legacy v1); each answers 303 to the popup app with a one-time hand-off.
import { Hono, type Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { AppDeps, AppEnv } from '../app.js';
import { AppError } from '../errors.js';
import { startLaunchV4 } from '../launch/launch.js';
import { startLaunchV1 } from '../launch/launch-v1.js';
import { HANDOFF_TTL_MS } from '../launch/limits.js';
import { LaunchParamsInvalid } from '../errors.js';
import { LaunchGuard } from '../rate-limits.js';

export const HANDOFF_COOKIE = 'leu_handoff';

/** Each parameter once: a repeated signed parameter would make "the" value ambiguous. */
function singleQuery(c: Context<AppEnv>): Record<string, string> {
  const all = Object.entries(c.req.queries());
  const repeated = all.filter(([, values]) => values.length > 1).map(([name]) => name);
  if (repeated.length) throw new LaunchParamsInvalid(`Concur's link names ${repeated.join(', ')} more than once.`);
  return Object.fromEntries(all.map(([name, values]) => [name, values[0]!]));
}

export function launchRoutes(deps: AppDeps) {
  /** Every launch is counted: accepted, or refused under the refusal's code (launch_replayed, ...). */
  const counted = <T>(version: '1' | '4', launch: Promise<T>) =>
    launch.then(
      (r) => {
        deps.metrics.launches.inc({ version, outcome: 'accepted' });
        return r;
      },
      (error: unknown) => {
        deps.metrics.launches.inc({ version, outcome: error instanceof AppError ? error.code : 'internal_error' });
        throw error;
      },
    );
  const guard = new LaunchGuard(deps);
  const v4 = { ...deps, credentials: deps.config.connector };
  const v1 = { ...v4, v1CustomField: deps.config.v1CustomField };
  const secure = deps.config.publicUrl.startsWith('https:');
  /**
   * The popup trades this cookie for its session once. The app URL carries no secret: only, for a field with a
   * wizard, `?wizard`, so the popup waits for the wizard instead of first showing a search box.
   */
  const toPopup = (c: Context<AppEnv>, { handoff, fieldId }: { handoff: string; fieldId: string }) => {
    setCookie(c, HANDOFF_COOKIE, handoff, { httpOnly: true, secure, sameSite: 'Strict', path: '/api/session', maxAge: HANDOFF_TTL_MS / 1000 });
    c.header('Cache-Control', 'no-store');
    return c.redirect(deps.sources.flowFor(fieldId) ? '/app/?wizard' : '/app/', 303);
  };
  return new Hono<AppEnv>()
    .get('/launchexternalurl/v4/form', async (c) => {
      return toPopup(c, await counted('4', guard.guard(c, () => startLaunchV4(singleQuery(c), v4))));
    })
    .get('/concur/form/v1.0/get', async (c) => {
      return toPopup(c, await counted('1', guard.guard(c, () => startLaunchV1(singleQuery(c), v1))));
    });
}
