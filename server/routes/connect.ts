// The company connection (protocol sheet §13): the Connect landing page that Concur's App Center opens with `id`,
// `requestToken` and `userId`; the administrator's connection status and Disconnect (ADMIN_TOKEN).
//
// The link's parameters are kept in the store under a random code and the page moves to a clean address (no
// request token in the address bar or history); the request token is exchanged only once the administrator
// confirms (Concur's rule), with a form whose code must match the cookie set here (a page elsewhere cannot confirm).
import type { Context } from 'hono';
import { html } from 'hono/html';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { factory, type AppDeps, type AppEnv } from '../env.ts';
import { page } from '../pages.ts';
import { AppError, ConcurUnavailable, NotConnected, NotFound, Unauthorized, VerificationWrong } from '../errors.ts';
import { jsonErrors } from '../error-handler.ts';
import { bearerToken } from './bearer.ts';
import type { PendingConnect } from '../store/store.ts';
import type { CompanyConnection } from '../concur/company-connection.ts';
import type { CompanyRecord } from '../companies/record.ts';
import { verifyConnect } from '../companies/admin.ts';
import { FailureGuard } from '../rate-limits.ts';

const CONNECT_COOKIE = 'leu_connect';

const CODE_NEEDED =
  'This connector needs the verification code your connector provider gave you when your company was set up: ' +
  'enter it, then Connect.';
/** How long an administrator has between Concur's link and Confirm (the request token itself lasts 24 hours). */
const PENDING_TTL_MS = 30 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Request tokens are opaque (the samples are UUID-like and at-...): printable, without spaces, bounded. */
const REQUEST_TOKEN = /^[\x21-\x7e]{8,2048}$/;

/** A query parameter by name, whatever its case (company-auth spells userID, the apidoc userId). */
function param(c: Context, name: string): string | undefined {
  const lower = name.toLowerCase();
  const found = Object.entries(c.req.queries()).filter(([k]) => k.toLowerCase() === lower);
  if (found.length !== 1 || found[0]![1].length !== 1) return undefined;
  return found[0]![1][0]!.trim();
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function connectRoutes(deps: Pick<AppDeps, 'config' | 'company' | 'store' | 'now' | 'companies'>) {
  const r = factory.createApp();
  const { appName, privacyUrl, supportUrl, termsUrl } = deps.config.connect;
  const secure = deps.config.publicUrl.startsWith('https:');
  const cookie = secure ? ({ prefix: 'host', path: '/' } as const) : ({ path: '/concur/connect' } as const);

  /** Concur's rules for the page: the brand, "an SAP Concur integration", privacy and support links. */
  const shell = (title: string, body: ReturnType<typeof html>) =>
    page({
      title: `${title} · ${appName}`,
      body: html`<header>
          <p class="ref">${appName} · an integration for SAP Concur</p>
          <h1>${title}</h1>
        </header>
        ${body}
        <footer class="ref">
          <p>
            ${privacyUrl ? html`<a href="${privacyUrl}" rel="noopener" target="_blank">Privacy policy</a>` : ''}
            ${supportUrl ? html` · <a href="${supportUrl}" rel="noopener" target="_blank">Support</a>` : ''}
            ${termsUrl ? html` · <a href="${termsUrl}" rel="noopener" target="_blank">Terms and conditions</a>` : ''}
          </p>
        </footer>`,
    });

  const problem = (c: Context<AppEnv>, status: 400 | 403 | 409 | 410 | 502 | 503, title: string, message: string) => {
    c.status(status);
    c.header('Cache-Control', 'no-store');
    return c.html(
      shell(
        title,
        html`<p role="alert">${message}</p>
          <p>In Concur: Administration › App Center › ${appName} › Connect.</p>`,
      ),
    );
  };

  const setConnectCookie = (c: Context<AppEnv>, code: string) =>
    setCookie(c, CONNECT_COOKIE, code, {
      httpOnly: true,
      secure,
      // Lax: the link is a top-level navigation from Concur's site, and this cookie must come along with it.
      sameSite: 'Lax',
      maxAge: PENDING_TTL_MS / 1000,
      ...cookie,
    });
  const expired = (c: Context<AppEnv>) =>
    problem(
      c,
      410,
      'This connection link has expired',
      'The link was already used, or more than 30 minutes have passed. Start again from the App Center.',
    );
  // A wrong verification code is a guess at a secret: throttled per address, like wrong connector passwords.
  const guesses = new FailureGuard(
    deps,
    'connect-verification-refusals',
    'Too many wrong verification codes from this address. Wait a minute, then try again.',
  );

  /**
   * The registered company already linked to this Concur company (App Center's `id`), if any; and whether the page
   * must ask for a verification code: some registered company still waits for its first Connect.
   */
  const linkOf = async (pending: PendingConnect) => {
    const registered = await deps.store.listCompanies();
    const linked = registered.find((r) => r.concurCompanyId?.toLowerCase() === pending.companyId.toLowerCase());
    // Without a company of its own (registered companies only), every first Connect needs its code.
    const waiting = registered.some((r) => r.verificationHash !== undefined) || !deps.config.connector;
    return { linked, askCode: !linked && waiting };
  };

  /** A company's connection: the linked company's, else the configuration's own. */
  const connectionOf = async (pending: PendingConnect) => {
    const { linked } = await linkOf(pending);
    return (linked ? (await deps.companies.get(linked.id))?.company : undefined) ?? deps.company;
  };

  /** A company has one Concur company: another company's Connect is refused while it is connected. */
  const takenByAnother = async (c: Context<AppEnv>, pending: PendingConnect, connection?: CompanyConnection) => {
    const current = await (connection ?? (await connectionOf(pending))).status();
    if (!current?.connected || current.companyId.toLowerCase() === pending.companyId.toLowerCase()) return undefined;
    return problem(
      c,
      409,
      'Already connected to another company',
      `${appName} is connected to another Concur company. Its administrator must disconnect it first.`,
    );
  };

  const pendingFrom = async (c: Context<AppEnv>) => {
    const code = getCookie(c, CONNECT_COOKIE, secure ? 'host' : undefined);
    return code ? { code, pending: await deps.store.getPending(code) } : { code: undefined, pending: undefined };
  };

  r.get('/concur/connect', async (c) => {
    c.header('Cache-Control', 'no-store');
    const companyId = param(c, 'id');
    const requestToken = param(c, 'requestToken');
    const userId = param(c, 'userId');
    if (!companyId && !requestToken)
      return problem(
        c,
        400,
        'Open this page from Concur',
        `This page connects ${appName} to your company's SAP Concur. Concur's App Center opens it when an ` +
          'administrator clicks Connect.',
      );
    if (!companyId || !UUID.test(companyId) || !requestToken || !REQUEST_TOKEN.test(requestToken))
      return problem(
        c,
        400,
        'This link cannot be used',
        "The link from Concur's App Center is incomplete or damaged (it must carry the company's id and a " +
          'request token). Start again from the App Center.',
      );
    if (userId && !UUID.test(userId))
      return problem(c, 400, 'This link cannot be used', "The administrator's id in the link is not a Concur id.");
    const code = randomBytes(32).toString('base64url');
    const pending: PendingConnect = {
      companyId,
      requestToken,
      ...(userId ? { userId } : {}),
      createdAt: deps.now(),
    };
    await deps.store.putPending(code, pending, PENDING_TTL_MS);
    setConnectCookie(c, code);
    return c.redirect('/concur/connect/confirm', 303);
  });

  r.get('/concur/connect/confirm', async (c) => {
    c.header('Cache-Control', 'no-store');
    const { code, pending } = await pendingFrom(c);
    if (!code || !pending) return expired(c);
    const taken = await takenByAnother(c, pending);
    if (taken) return taken;
    const { askCode } = await linkOf(pending);
    const current = await (await connectionOf(pending)).status();
    if (!privacyUrl || !supportUrl)
      return problem(
        c,
        503,
        'This connector is not fully set up',
        'Concur requires a privacy policy and a support page on this page: the administrator of the connector ' +
          'must set CONNECT_PRIVACY_URL and CONNECT_SUPPORT_URL.',
      );
    return c.html(
      shell(
        `Connect ${appName} to SAP Concur`,
        html`<p>
            ${appName} lets your employees pick values (projects, cost centres, travel requests) in a small window
            beside a Launch URL field on their expense reports, and saves them to the report.
          </p>
          <p>
            Connecting gives it your company's permission to write those values to expense entries. It changes only the
            fields an employee chooses a value for, on items that employee can open in Concur.
          </p>
          <dl>
            <dt>Concur company</dt>
            <dd><code>${pending.companyId}</code></dd>
            ${
              pending.userId
                ? html`<dt>Administrator</dt>
                    <dd><code>${pending.userId}</code></dd>`
                : ''
            }
          </dl>
          ${current?.connected ? html`<p>This company is connected already; confirming renews the connection.</p>` : ''}
          <form method="post" action="/concur/connect/confirm">
            <input type="hidden" name="code" value="${code}" />
            ${
              askCode
                ? html`<p>
                      <label for="verification">Verification code</label>
                      <input
                        id="verification"
                        name="verification"
                        autocomplete="one-time-code"
                        spellcheck="false"
                        maxlength="64"
                        aria-describedby="verification-help"
                      />
                    </p>
                    <p id="verification-help" class="ref">
                      The code your connector provider gave you when your company was set up. It links this Concur
                      company to your company's settings; it is used once.
                    </p>`
                : ''
            }
            <button type="submit">Connect</button>
          </form>
          <p class="ref">Not now? Close this window; nothing is connected until you click Connect.</p>`,
      ),
    );
  });

  r.post('/concur/connect/confirm', async (c) => {
    c.header('Cache-Control', 'no-store');
    const form: Record<string, unknown> = await c.req.parseBody().catch(() => ({}));
    const sent = typeof form.code === 'string' ? form.code : '';
    const { code } = await pendingFrom(c);
    if (!code || !sent || !sameText(code, sent))
      return problem(
        c,
        403,
        'This confirmation cannot be used',
        'The confirmation did not come from the page this browser was shown. Start again from the App Center.',
      );
    const pending = await deps.store.takePending(code);
    deleteCookie(c, CONNECT_COOKIE, { ...cookie, secure });
    if (!pending) return expired(c);
    const verification = typeof form.verification === 'string' ? form.verification.trim().slice(0, 64) : '';
    const { linked, askCode } = await linkOf(pending);
    /** The Connect stays open, so the administrator can type the code (again). */
    const keepOpen = async () => {
      await deps.store.putPending(code, pending, PENDING_TTL_MS).catch(() => undefined);
      setConnectCookie(c, code);
    };
    // Where a code is asked for, it is needed: an empty field never connects the Concur company to another one
    // (the configuration's own company connects with npm run company-token while codes are waiting).
    if (askCode && !verification) {
      await keepOpen();
      throw new VerificationWrong(CODE_NEEDED);
    }
    // An administrator who enters a code links this Concur company to the registered company it was made for.
    let verified: CompanyRecord | undefined;
    if (!linked && verification) {
      verified = await guesses
        .guessing(c, async () => {
          const found = await verifyConnect(deps.store, verification, deps.now());
          if (!found) throw new VerificationWrong();
          return found;
        })
        .catch(async (error: unknown) => {
          await keepOpen();
          throw error;
        });
    }
    const target = linked ?? verified;
    // A deployment without a company of its own connects registered companies only: the code says which.
    if (!target && !deps.config.connector) {
      await keepOpen();
      throw new VerificationWrong(CODE_NEEDED);
    }
    const connection = target ? (await deps.companies.get(target.id))?.company : deps.company;
    if (!connection) return expired(c);
    const taken = await takenByAnother(c, pending, connection);
    if (taken) return taken;
    try {
      await connection.connect(pending.companyId, pending.requestToken, pending.userId);
      if (verified) {
        // Read again: a change made meanwhile (a rotation, new fields) is kept; only the link is added.
        const now = (await deps.store.getCompany(verified.id)) ?? verified;
        const { verificationHash: _used, ...rest } = now;
        await deps.store.putCompany({
          ...rest,
          concurCompanyId: pending.companyId,
          updatedAt: Math.max(deps.now(), now.updatedAt + 1),
        });
        c.get('log')().info({ company: verified.id, companyId: pending.companyId }, 'App Center connection linked');
      }
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // A lost connection to Concur leaves the request token usable (24 hours): the page can be confirmed again.
      if (error instanceof ConcurUnavailable) {
        await deps.store.putPending(code, pending, PENDING_TTL_MS).catch(() => undefined);
        setConnectCookie(c, code);
      }
      c.get('log')().warn({ companyId: pending.companyId, code: error.code }, 'company connection refused');
      return problem(c, error instanceof ConcurUnavailable ? 503 : 502, 'The connection was not made', error.message);
    }
    return c.html(
      shell(
        'Connected',
        html`<p role="status">${appName} is now connected to your company in SAP Concur.</p>
          <h2>Next steps</h2>
          <ol>
            <li>
              If not done yet, register the Launch External URL connector in Concur (Service Version V4) and add its
              Launch URL fields to your expense forms.
            </li>
            <li>Employees can then use the button beside those fields; the values they pick are saved to Concur.</li>
            <li>You can disconnect at any time from the App Center listing.</li>
          </ol>
          <p>You can close this window.</p>`,
      ),
    );
  });

  return r;
}

/**
 * The administrator's view of the connection and its Disconnect, under /ops/company, behind ADMIN_TOKEN (off
 * without one). A program calls it: every refusal is answered in JSON.
 */
export function adminRoutes(deps: Pick<AppDeps, 'config' | 'company' | 'logger'>) {
  const r = factory.createApp();
  r.onError(jsonErrors(deps.logger));
  const admin = deps.config.adminToken;
  const nothingHere = () => {
    throw new NotFound();
  };
  if (!admin) return r.all('*', nothingHere);
  r.use(
    bearerToken(
      (token) => sameText(token, admin),
      (why) =>
        new Unauthorized(
          {
            missing: 'ADMIN_TOKEN is required',
            invalid: 'The admin token is not valid',
            malformed: 'Bearer ADMIN_TOKEN',
          }[why],
        ),
    ),
  );
  r.get('/', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ connection: (await deps.company.status()) ?? null });
  });
  r.post('/disconnect', async (c) => {
    const status = await deps.company.status();
    if (!status) throw new NotConnected();
    const { revoked } = await deps.company.disconnect('ops endpoint');
    return c.json({ disconnected: true, revokedAtConcur: revoked, companyId: status.companyId });
  });
  return r.all('*', nothingHere);
}
