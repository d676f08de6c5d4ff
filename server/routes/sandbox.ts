// The sandbox: the fake Concur under /sandbox/concur/, the simulated expense form at / (its travel requests at
// /sandbox/requests, sandbox-requests.ts), and Concur's click.
import { getResponse } from 'msw';
import { serveStatic } from '@hono/node-server/serve-static';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { factory, type AppDeps } from '../env.ts';
import type { SandboxConcur } from '../sandbox/concur-state.ts';
import { SANDBOX_COMPANY, SANDBOX_DELEGATE, SANDBOX_GLOBEX, SANDBOX_USER } from '../sandbox/concur-state.ts';
import { html } from 'hono/html';
import { page } from '../pages.ts';
import { concurHandlers } from '../sandbox/concur-handlers.ts';
import { signLaunchV4 } from '../launch/signature.ts';
import { LaunchParamsInvalid } from '../errors.ts';
import { localText } from '../fields/flows.ts';
import { isFieldId } from '../../src/contract/field-id.ts';
import { sandboxRequestRoutes, simulatorPage } from './sandbox-requests.ts';

const PREFIX = '/sandbox/concur';

export function sandboxRoutes(
  deps: Pick<AppDeps, 'company' | 'config' | 'distDir' | 'sources' | 'store'>,
  concur: SandboxConcur,
) {
  const handlers = concurHandlers(concur);
  const r = factory.createApp();

  r.all(`${PREFIX}/*`, async (c) => {
    // A real Concur takes a few hundred milliseconds a call; benches ask the fake one to take as long.
    if (deps.config.sandboxLatencyMs) await sleep(deps.config.sandboxLatencyMs);
    // Answer at the canonical base whatever Host the caller used (localhost vs 127.0.0.1).
    const url = new URL(c.req.url);
    const canonical = new Request(concur.base + url.pathname.slice(PREFIX.length) + url.search, c.req.raw);
    const response = await getResponse(handlers, canonical);
    return response ?? c.json({ errorMessage: 'The sandbox has no such Concur API' }, 404);
  });

  /**
   * What Concur does when the user clicks a Launch URL button: mint a one-time authorization code and open the
   * connector with a signed query string. The signature needs the connector password, so it is made here.
   * Query: source (HEADER | ENTRY | ALLOCATION), report, expense, allocation, field,
   * as (owner | delegate), lang, mobile; company=globex launches as Gina, at the registered company Globex.
   */
  r.get('/sandbox/launch', async (c) => {
    const q = c.req.query();
    const source = (q.source ?? 'ENTRY').toUpperCase();
    const globex = q.company === 'globex' ? await globexRecord() : undefined;
    if (q.company === 'globex' && !globex) throw new LaunchParamsInvalid('The sandbox has not registered Globex.');
    const delegate = q.as === 'delegate' && !globex;
    const context = delegate ? 'PROXY' : 'TRAVELER';
    const user = globex ? SANDBOX_GLOBEX.user.id : delegate ? SANDBOX_DELEGATE.id : SANDBOX_USER.id;
    let itemUrl: string;
    let reportId: string;
    let expenseIds = '';
    if (source === 'HEADER' && concur.reports.has(q.report ?? '')) {
      reportId = q.report!;
      itemUrl = concur.reportUrl(reportId, context);
    } else if (source === 'ENTRY' && concur.expenses.has(q.expense ?? '')) {
      const e = concur.expenses.get(q.expense!)!;
      reportId = e.reportId;
      itemUrl = concur.entryUrl(e, context);
    } else if (source === 'ALLOCATION' && concur.allocations.has(q.allocation ?? '')) {
      const a = concur.allocations.get(q.allocation!)!;
      reportId = a.reportId;
      expenseIds = a.expenseId;
      itemUrl = concur.allocationUrl(a.allocationId, context);
    } else {
      throw new LaunchParamsInvalid('The sandbox has no such item: give source with report, expense or allocation.');
    }
    const field = q.field ?? '';
    if (!isFieldId(field)) throw new LaunchParamsInvalid('The sandbox needs a field id such as custom12.');
    const owner = concur.reports.get(reportId)!.userId;
    const signed = {
      company_domain: globex ? globex.domain : SANDBOX_USER.companyDomain,
      logged_in_user_id: user,
      report_owner_user_id: owner,
      report_owner_employee_id: globex ? SANDBOX_GLOBEX.user.employeeId : SANDBOX_USER.employeeId,
      item_url: itemUrl,
      nonce: crypto.randomUUID(),
    };
    const query = new URLSearchParams({
      ...signed,
      custom_field_launched_from: field,
      source,
      ...(expenseIds ? { expense_ids: expenseIds } : {}),
      is_mobile: q.mobile === 'true' ? 'true' : 'false',
      // The sandbox always has its own company (SANDBOX_DEFAULTS).
      signature: signLaunchV4(signed, globex ? globex.connector : deps.config.connector!),
      client_auth_code: concur.issueAuthCode(user),
      language_code: q.lang ?? 'en',
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect(`/launchexternalurl/v4/form?${query.toString()}`, 302);
  });

  /** The sandbox's registered company, Globex (server/sandbox/setup.ts), whose connector pair signs its launches. */
  const globexRecord = async () =>
    (await deps.store.listCompanies()).find((r) => r.domain === SANDBOX_GLOBEX.companyDomain);

  /** The simulated form's wizard fields: one button per configured flow, and the fields each writes. */
  r.get('/sandbox/flows', (c) =>
    c.json(
      deps.sources.flows().map(([id, flow]) => ({
        id,
        label: localText(flow.title, 'en'),
        writes: flow.steps.flatMap((s) =>
          s.kind !== 'review' && s.writeTo ? [{ field: s.writeTo, label: localText(s.label, 'en') }] : [],
        ),
      })),
    ),
  );

  /** The repository's examples (the portal page examples/host-page.html, which embeds the picker three ways). */
  r.use(
    '/examples/*',
    serveStatic({
      root: fileURLToPath(new URL('../../examples', import.meta.url)),
      rewriteRequestPath: (p) => p.replace(/^\/examples/, ''),
    }),
  );

  /**
   * The App Center panel: the company's connection as the connector holds it, and the link Concur's App Center
   * opens on Connect (a fresh request token each time, as App Center makes one per click).
   */
  r.get('/sandbox/app-center', async (c) => {
    c.header('Cache-Control', 'no-store');
    const connect = new URLSearchParams({
      id: SANDBOX_COMPANY.id,
      requestToken: concur.issueCompanyRequestToken(),
      userId: SANDBOX_COMPANY.adminId,
    });
    return c.json({
      connection: (await deps.company.status()) ?? null,
      connectUrl: `/concur/connect?${connect.toString()}`,
    });
  });

  /** App Center's Disconnect: Concur revokes the company's tokens; the connector finds out on its next use. */
  r.post('/sandbox/app-center/disconnect', async (c) => {
    concur.disconnectCompany();
    // So the panel shows it at once, the connector checks now (the refresh Concur refuses marks it disconnected).
    return c.json({ connection: (await deps.company.verify().catch(() => deps.company.status())) ?? null });
  });

  /** The pages the landing page must link (Concur's rules); a real deployment sets CONNECT_PRIVACY_URL and so on. */
  for (const [path, title, text] of [
    ['/sandbox/privacy', 'Privacy policy (sandbox)', 'The sandbox keeps nothing outside this machine.'],
    ['/sandbox/support', 'Support (sandbox)', 'This is the built-in sandbox; see the README for help.'],
  ] as const)
    r.get(path, (c) =>
      c.html(
        page({
          title,
          body: html`<h1>${title}</h1>
            <p>${text}</p>`,
        }),
      ),
    );

  // Concur Request: the travel-request forms and their launches.
  r.route('/', sandboxRequestRoutes(deps, concur));

  r.post('/sandbox/reset', (c) => {
    concur.reset();
    return c.body(null, 204);
  });

  r.get('/', (c) => simulatorPage(c, deps.distDir, 'simulator.html'));

  return r;
}
