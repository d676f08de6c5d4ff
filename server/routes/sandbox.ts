// The sandbox: the fake Concur under /sandbox/concur/, the simulated expense form at /, and Concur's click.
import { Hono } from 'hono';
import { getResponse } from 'msw';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppDeps, AppEnv } from '../app.js';
import type { SandboxConcur } from '../sandbox/concur-state.js';
import { SANDBOX_USER } from '../sandbox/concur-state.js';
import { concurHandlers } from '../sandbox/concur-handlers.js';
import { signLaunchV4 } from '../launch/signature.js';
import { LaunchParamsInvalid } from '../errors.js';

const PREFIX = '/sandbox/concur';

export function sandboxRoutes(deps: AppDeps, concur: SandboxConcur) {
  const handlers = concurHandlers(concur);
  const r = new Hono<AppEnv>();

  r.all(`${PREFIX}/*`, async (c) => {
    // Answer at the canonical base whatever Host the caller used (localhost vs 127.0.0.1).
    const url = new URL(c.req.url);
    const canonical = new Request(concur.base + url.pathname.slice(PREFIX.length) + url.search, c.req.raw);
    const response = await getResponse(handlers, canonical);
    return response ?? c.json({ errorMessage: 'The sandbox has no such Concur API' }, 404);
  });

  /**
   * What Concur does when the user clicks the Launch URL button: mint a one-time authorization code and open
   * the connector with a signed query string. The signature needs the connector password, so it is made here.
   */
  r.get('/sandbox/launch', (c) => {
    const expenseId = c.req.query('expense') ?? '';
    const field = c.req.query('field') ?? '';
    const expense = concur.expenses.get(expenseId);
    if (!expense) throw new LaunchParamsInvalid('The sandbox has no such expense.');
    if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(field)) throw new LaunchParamsInvalid('The sandbox needs a field id such as custom12.');
    const signed = {
      company_domain: SANDBOX_USER.companyDomain,
      logged_in_user_id: SANDBOX_USER.id,
      report_owner_user_id: expense.userId,
      report_owner_employee_id: SANDBOX_USER.employeeId,
      item_url: concur.entryUrl(expense),
      nonce: crypto.randomUUID(),
    };
    const query = new URLSearchParams({
      ...signed,
      custom_field_launched_from: field,
      source: 'ENTRY',
      is_mobile: c.req.query('mobile') === 'true' ? 'true' : 'false',
      signature: signLaunchV4(signed, deps.config.connector),
      client_auth_code: concur.issueAuthCode(SANDBOX_USER.id),
      language_code: c.req.query('lang') ?? 'en',
    });
    c.header('Cache-Control', 'no-store');
    return c.redirect(`/launchexternalurl/v4/form?${query}`, 302);
  });

  r.post('/sandbox/reset', (c) => {
    concur.reset();
    return c.body(null, 204);
  });

  r.get('/', async (c) => {
    const html = await readFile(join(deps.distDir, 'server/sandbox/simulator.html'), 'utf8').catch(() => null);
    if (!html) return c.text('The simulator has not been built: run npm run build (npm start does this for you).', 503);
    c.header('Cache-Control', 'no-store');
    return c.html(html);
  });

  return r;
}
