// The sandbox's Concur Request: the simulated travel-request forms (/sandbox/requests) and Concur Request's click on
// one of their Launch URL buttons (/sandbox/request-launch), signed as Concur Request signs a launch.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'hono';
import { factory, type AppDeps, type AppEnv } from '../env.ts';
import { SANDBOX_DELEGATE, SANDBOX_USER, type SandboxConcur } from '../sandbox/concur-state.ts';
import { signRequestLaunchV4 } from '../launch/signature.ts';
import { LAUNCH_PATHS } from '../launch/request-params.ts';
import { LaunchParamsInvalid } from '../errors.ts';
import { isFieldId } from '../../src/contract/field-id.ts';

/** A built simulator page (vite builds server/sandbox/*.html into dist/), or what to run when it is not built. */
export async function simulatorPage(c: Context<AppEnv>, distDir: string, page: string) {
  const html = await readFile(join(distDir, 'server/sandbox', page), 'utf8').catch(() => null);
  if (!html) return c.text('The simulator has not been built: run npm run build (npm start does this for you).', 503);
  c.header('Cache-Control', 'no-store');
  return c.html(html);
}

export function sandboxRequestRoutes(deps: Pick<AppDeps, 'config' | 'distDir'>, concur: SandboxConcur) {
  const r = factory.createApp();
  const forms = concur.requestForms;

  /**
   * What Concur Request does when the user clicks a Launch URL button: a one-time authorization code and the
   * connector opened on its Request path, signed with request_owner_* (protocol sheet §2). Query: source (HEADER |
   * ENTRY | ALLOCATION) with request, expense or allocation, field, as (owner | delegate), lang, mobile.
   */
  r.get('/sandbox/request-launch', (c) => {
    const q = c.req.query();
    const source = (q.source ?? 'HEADER').toUpperCase();
    const delegate = q.as === 'delegate';
    const user = delegate ? SANDBOX_DELEGATE.id : SANDBOX_USER.id;
    let requestUuid: string | undefined;
    let hints = '';
    if (source === 'HEADER' && forms.headers.has(q.request ?? '')) requestUuid = q.request;
    else if (source === 'ENTRY' && forms.expenses.has(q.expense ?? ''))
      requestUuid = forms.expenses.get(q.expense!)!.requestUuid;
    else if (source === 'ALLOCATION' && forms.allocations.has(q.allocation ?? '')) {
      const a = forms.allocations.get(q.allocation!)!;
      requestUuid = a.requestUuid;
      hints = a.expenseId;
    }
    const travel = concur.travelRequests.find((t) => t.id === requestUuid);
    if (!travel)
      throw new LaunchParamsInvalid('The sandbox has no such item: give source with request, expense or allocation.');
    const field = q.field ?? '';
    if (!isFieldId(field)) throw new LaunchParamsInvalid('The sandbox needs a field id such as custom5.');
    const item =
      source === 'HEADER'
        ? { request: travel.id }
        : source === 'ENTRY'
          ? { expense: q.expense! }
          : { allocation: q.allocation! };
    const signed = {
      company_domain: SANDBOX_USER.companyDomain,
      logged_in_user_id: user,
      request_owner_user_id: travel.ownerId,
      request_owner_employee_id: SANDBOX_USER.employeeId,
      item_url: forms.itemUrl(concur.base, item),
      nonce: crypto.randomUUID(),
    };
    const query = new URLSearchParams({
      ...signed,
      custom_field_launched_from: field,
      source,
      // The Definitions table's name for an allocation's expected expense [AMB]: a hint, unsigned.
      ...(hints ? { request_ids: hints } : {}),
      is_mobile: q.mobile === 'true' ? 'true' : 'false',
      // The sandbox always has its own company (SANDBOX_DEFAULTS).
      signature: signRequestLaunchV4(signed, deps.config.connector!),
      client_auth_code: concur.issueAuthCode(user),
      language_code: q.lang ?? 'en',
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect(`${LAUNCH_PATHS.request}?${query.toString()}`, 302);
  });

  r.get('/sandbox/requests', (c) => simulatorPage(c, deps.distDir, 'requests.html'));

  return r;
}
