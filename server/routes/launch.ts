// Concur's signed v4 launches; each answers 303 to the popup app with a one-time hand-off. v1's old path answers 410.
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { factory, type AppDeps, type AppEnv } from '../env.ts';
import { AppError } from '../errors.ts';
import { authenticateLaunchV4, startLaunchV4 } from '../launch/launch.ts';
import { HANDOFF_TTL_MS } from '../launch/limits.ts';
import { LaunchParamsInvalid, LaunchSignatureInvalid, LaunchVersionGone } from '../errors.ts';
import { ownerCheck, type Company } from '../companies/company.ts';
import { companyTokenPrefix } from '../companies/record.ts';
import { FailureGuard } from '../rate-limits.ts';

export const HANDOFF_COOKIE = 'leu_handoff';

/**
 * Where the hand-off cookie lives. Over https it takes the __Host- prefix (Hono's `prefix: 'host'`): the browser
 * then accepts it only if it is Secure, has Path=/ and names no Domain, so no sibling host can plant or overwrite
 * one. Plain http (the sandbox on localhost) cannot have the prefix; the cookie then goes to /api/session only.
 */
export const handoffCookie = (secure: boolean) =>
  secure ? ({ prefix: 'host', path: '/' } as const) : ({ prefix: undefined, path: '/api/session' } as const);

/** Each parameter once: a repeated signed parameter would make "the" value ambiguous. */
function singleQuery(c: Context<AppEnv>): Record<string, string> {
  const all = Object.entries(c.req.queries());
  const repeated = all.filter(([, values]) => values.length > 1).map(([name]) => name);
  if (repeated.length) throw new LaunchParamsInvalid(`Concur's link names ${repeated.join(', ')} more than once.`);
  return Object.fromEntries(all.map(([name, values]) => [name, values[0]!]));
}

export function launchRoutes(
  deps: Pick<AppDeps, 'config' | 'metrics' | 'store' | 'allowlist' | 'concur' | 'now' | 'companies'>,
) {
  /** Every launch is counted: accepted, or refused under the refusal's code (launch_replayed, ...). */
  const counted = <T>(version: '4', launch: Promise<T>) =>
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
  const guard = new FailureGuard(
    deps,
    'launch-refusals',
    'Too many links from this address could not be verified. Wait a minute, then open the window from Concur again.',
  );
  /**
   * The company the launch's company_domain names: its credentials verify the signature, and its store, fields and
   * tokens serve the session. Unknown domains go to the configuration's own company (or are refused without one).
   */
  const companyOf = async (query: Record<string, string>) => {
    const company = await deps.companies.forDomain(query.company_domain ?? '');
    if (!company) {
      const error = new LaunchSignatureInvalid(
        'This link names a Concur company this connector does not serve. ' +
          "Your administrator must add the company to the connector's registry.",
      );
      error.logContext = { companyDomain: (query.company_domain ?? '').slice(0, 253) };
      throw error;
    }
    return company;
  };
  const secure = deps.config.publicUrl.startsWith('https:');
  const { prefix, path } = handoffCookie(secure);
  /**
   * The popup trades this cookie for its session once. The app URL carries no secret: only, for a field with a
   * wizard, `?wizard`, so the popup waits for the wizard instead of first showing a search box.
   */
  const toPopup = (
    c: Context<AppEnv>,
    { handoff, fieldId, company }: { handoff: string; fieldId: string; company: Company },
  ) => {
    setCookie(c, HANDOFF_COOKIE, handoff, {
      httpOnly: true,
      secure,
      sameSite: 'Strict',
      path,
      prefix,
      maxAge: HANDOFF_TTL_MS / 1000,
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect(company.sources.flowFor(fieldId) ? '/app/?wizard' : '/app/', 303);
  };
  return (
    factory
      .createApp()
      .get('/launchexternalurl/v4/form', async (c) => {
        const raw = singleQuery(c);
        return toPopup(
          c,
          await counted(
            '4',
            guard.guard(
              c,
              async () => {
                const company = await companyOf(raw);
                try {
                  return { company, query: authenticateLaunchV4(raw, company.credentials) };
                } catch (error) {
                  // A pair rotated on another instance a moment ago: read the company again, once, and check again.
                  const again =
                    error instanceof LaunchSignatureInvalid ? await deps.companies.reread(company) : undefined;
                  if (!again || again.version === company.version) throw error;
                  return { company: again, query: authenticateLaunchV4(raw, again.credentials) };
                }
              },
              async ({ company, query }) => {
                const started = await startLaunchV4(query, {
                  allowlist: deps.allowlist,
                  fields: company.sources,
                  store: company.store,
                  concur: deps.concur,
                  now: deps.now,
                  tokenPrefix: companyTokenPrefix(company.id),
                  checkOwner: ownerCheck(company, deps),
                });
                return { ...started, company };
              },
            ),
          ),
        );
      })
      // LEU v1 was shut down by Concur on 2026-06-23 (protocol sheet §2): its old path says what to change.
      .get('/concur/form/v1.0/get', () => {
        throw new LaunchVersionGone(
          'This Concur field still uses Launch External URL v1, which Concur shut down on 23 June 2026. ' +
            "An administrator must set the connector registration's Service Version to V4 in Concur " +
            '(Administration > Web Services > Manage Application Connectors), then click the button again.',
        );
      })
  );
}
