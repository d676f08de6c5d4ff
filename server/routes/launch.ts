// Concur's signed v4 launches; each answers with the popup page and a one-time hand-off, and completes (the code
// exchange) while the page loads. v1's old path answers 410.
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { factory, type AppDeps, type AppEnv } from '../env.ts';
import { AppError, NotBuilt } from '../errors.ts';
import {
  acceptLaunchV4,
  authenticateLaunchV4,
  exchangeLaunchV4,
  newHandoffCode,
  parkSession,
} from '../launch/launch.ts';
import type { PopupPage } from '../popup-page.ts';
import { readItemEarly } from '../popup/facts.ts';
import { HANDOFF_TTL_MS } from '../launch/limits.ts';
import { LaunchParamsInvalid, LaunchSignatureInvalid, LaunchVersionGone } from '../errors.ts';
import { ownerCheck, type Company } from '../companies/company.ts';
import type { LaunchV4Query } from '../launch/params.ts';
import { LAUNCH_PATHS } from '../launch/request-params.ts';
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
  deps: Pick<AppDeps, 'config' | 'metrics' | 'store' | 'allowlist' | 'concur' | 'now' | 'companies'> &
    Required<Pick<AppDeps, 'launches' | 'itemReads'>>,
  /** The built popup page (undefined before `npm run build`: a launch then says so). */
  page: PopupPage | undefined,
) {
  /**
   * Every launch is counted once: refused under the refusal's code (launch_replayed, ...), before its page or while
   * it loads (the code exchange), or accepted once its session is there.
   */
  const counted = <T>(launch: Promise<T>, done: boolean) =>
    launch.then(
      (r) => {
        if (done) deps.metrics.launches.inc({ version: '4', outcome: 'accepted' });
        return r;
      },
      (error: unknown) => {
        const outcome = error instanceof AppError ? error.code : 'internal_error';
        deps.metrics.launches.inc({ version: '4', outcome });
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
  /**
   * Accepts a verified launch (its item, field and nonce) and completes it in the background: the code exchange and
   * the owner check run while the page loads, and the item is read as soon as the user's token is there, for the
   * popup's first context and searches (one read, not one each). The popup's claim waits for it (handoffs.ts).
   */
  const launchFor = async (c: Context<AppEnv>, { company, query }: { company: Company; query: LaunchV4Query }) => {
    const launchDeps = {
      allowlist: deps.allowlist,
      fields: company.sources,
      store: company.store,
      concur: deps.concur,
      now: deps.now,
      checkOwner: ownerCheck(company, deps),
    };
    const accepted = await acceptLaunchV4(query, launchDeps);
    const prefix = companyTokenPrefix(company.id);
    const handoff = newHandoffCode(prefix);
    const complete = async () => {
      const session = await exchangeLaunchV4(accepted, launchDeps);
      const key = await parkSession(company.store, handoff, session, deps.now(), prefix);
      readItemEarly({ ...deps, ...company }, key, session);
    };
    await deps.launches.start(company.store, handoff, () => counted(complete(), true), c.get('log'));
    return { handoff, fieldId: accepted.fieldId, company };
  };
  const secure = deps.config.publicUrl.startsWith('https:');
  const { prefix, path } = handoffCookie(secure);
  /**
   * The launch answers with the popup's page itself, and the popup trades this cookie for its session once. The page
   * carries no secret: only, for a field with a wizard, `data-wizard`, so the popup waits for the wizard instead of
   * first showing a search box. Its script then takes the launch's parameters out of the address bar.
   */
  const toPopup = (
    c: Context<AppEnv>,
    { handoff, fieldId, company }: { handoff: string; fieldId: string; company: Company },
  ) => {
    if (!page) throw new NotBuilt('The popup (dist/index.html)');
    setCookie(c, HANDOFF_COOKIE, handoff, {
      httpOnly: true,
      secure,
      sameSite: 'Strict',
      path,
      prefix,
      maxAge: HANDOFF_TTL_MS / 1000,
    });
    c.header('Cache-Control', 'no-store');
    return c.html(page.html(company.sources.flowFor(fieldId) !== undefined));
  };
  return (
    factory
      .createApp()
      // Concur Expense's and Concur Request's launches: one verification, replay guard, limit and answer; the path
      // says which owner names the signature takes (protocol sheet §2).
      .on('GET', [LAUNCH_PATHS.expense, LAUNCH_PATHS.request], async (c) => {
        const raw = singleQuery(c);
        const product = c.req.path === LAUNCH_PATHS.request ? 'request' : 'expense';
        return toPopup(
          c,
          await counted(
            guard.guard(
              c,
              async () => {
                const company = await companyOf(raw);
                try {
                  return { company, query: authenticateLaunchV4(raw, company.credentials, product) };
                } catch (error) {
                  // A pair rotated on another instance a moment ago: read the company again, once, and check again.
                  const again =
                    error instanceof LaunchSignatureInvalid ? await deps.companies.reread(company) : undefined;
                  if (!again || again.version === company.version) throw error;
                  return { company: again, query: authenticateLaunchV4(raw, again.credentials, product) };
                }
              },
              (verified) => launchFor(c, verified),
            ),
            false,
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
