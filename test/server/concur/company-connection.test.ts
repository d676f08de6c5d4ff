// The company connection (protocol sheet §13): exchanged at GLZ, kept in the store (shared by instances), refreshed
// on a schedule one instance at a time, marked disconnected when Concur revokes it, and disconnected on request.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CLIENT, useFakeConcur } from '../helpers.ts';
import { ConcurClient, ConcurHttpError } from '../../../server/concur/client.ts';
import { CONCUR_TOKEN_HOST, createHostAllowlist } from '../../../server/concur/hosts.ts';
import {
  COMPANY_CONNECTION,
  COMPANY_REFRESH_EVERY_MS,
  CompanyConnection,
} from '../../../server/concur/company-connection.ts';
import { createLogger } from '../../../server/logger.ts';
import { createMemoryStore } from '../../../server/store/memory.ts';
import type { Store } from '../../../server/store/store.ts';
import { SANDBOX_COMPANY, SandboxConcur } from '../../../server/sandbox/concur-state.ts';
import { concurHandlers } from '../../../server/sandbox/concur-handlers.ts';
import { CompanyNotConnected } from '../../../server/errors.ts';

const { msw, concur } = useFakeConcur();
const DAY = 86_400_000;

function instance(opts: { store?: Store; now?: () => number; logs?: string[] } = {}) {
  const now = opts.now ?? Date.now;
  const logger = createLogger('debug', { write: (line: string) => void opts.logs?.push(line) });
  const client = new ConcurClient({
    oauth: {
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      redirectUri: CLIENT.redirect,
      tokenBase: CONCUR_TOKEN_HOST,
    },
    allowlist: createHostAllowlist([]),
    logger,
    backoffMs: 1,
    now,
  });
  const store = opts.store ?? createMemoryStore({ now });
  const company = new CompanyConnection({
    store,
    client,
    logger,
    now,
    revokeBase: 'https://us.api.concursolutions.com',
    waitStepMs: 5,
  });
  return { company, store };
}

/** A fake Concur on this clock (request tokens last 24 hours on it). */
function concurAt(now: () => number) {
  const c = new SandboxConcur({
    base: 'https://us.api.concursolutions.com',
    tokenBase: CONCUR_TOKEN_HOST,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    redirectUri: CLIENT.redirect,
    now,
  });
  msw.resetHandlers(...concurHandlers(c));
  return c;
}

const noop = () => Promise.resolve('called');

/** Two instances on one store and one clock, the company connected on the first. */
async function twoInstances() {
  let clock = Date.now();
  const now = () => clock;
  const fake = concurAt(now);
  const store = createMemoryStore({ now });
  const a = instance({ store, now });
  const b = instance({ store, now });
  await a.company.connect(SANDBOX_COMPANY.id, fake.issueCompanyRequestToken());
  return { fake, store, a, b, advance: (ms: number) => void (clock += ms) };
}

describe('connecting a company', () => {
  test('exchanges the request token at GLZ and keeps refresh token, expiry, geolocation and company in the store', async () => {
    const { company, store } = instance();
    const seen: string[] = [];
    msw.events.on('request:start', ({ request }) => void seen.push(`${request.method} ${request.url}`));
    const status = await company.connect(
      SANDBOX_COMPANY.id,
      concur().issueCompanyRequestToken(),
      SANDBOX_COMPANY.adminId,
    );
    msw.events.removeAllListeners();
    assert.deepEqual(seen, [`POST ${CONCUR_TOKEN_HOST}/oauth2/v0/token`]);
    assert.equal(status.companyId, SANDBOX_COMPANY.id);
    assert.equal(status.connected, true);
    assert.equal(status.connectedBy, SANDBOX_COMPANY.adminId);
    const record = (await store.getConnection(COMPANY_CONNECTION))!;
    assert.match(record.refreshToken, /^sbx-rt-/);
    assert.equal(record.geolocation, 'https://us.api.concursolutions.com');
    assert.ok(record.refreshExpiresAt! > Date.now() + 170 * DAY, 'about six months ahead');
    assert.equal(await company.withToken(noop), 'called');
    assert.equal(concur().grants.refresh_token, 0, 'the access token from the exchange is used');
  });

  test('a wrong request token is refused with a message for the administrator', async () => {
    const { company } = instance();
    await assert.rejects(
      company.connect(SANDBOX_COMPANY.id, 'not-a-request-token'),
      /did not accept the company credentials/,
    );
    assert.equal(await company.status(), undefined);
  });

  test('an expired request token (after 24 hours) is refused; within 24 hours it may be used again', async () => {
    let clock = Date.now();
    const fake = concurAt(() => clock);
    const token = fake.issueCompanyRequestToken();
    const { company } = instance({ now: () => clock });
    await company.connect(SANDBOX_COMPANY.id, token);
    clock += 23 * 60 * 60 * 1000;
    await company.connect(SANDBOX_COMPANY.id, token);
    clock += 2 * 60 * 60 * 1000;
    await assert.rejects(company.connect(SANDBOX_COMPANY.id, token), /did not accept the company credentials/);
  });

  test("a request token issued for another client gets error 136's message", async () => {
    const { company } = instance();
    await assert.rejects(
      company.connect(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken(SANDBOX_COMPANY.id, 'another-client')),
      /issued for another application/,
    );
  });

  test('without a connection, company-token calls fail closed with the administrator message', async () => {
    const { company } = instance();
    const error = await company.withToken(noop).catch((e: unknown) => e);
    assert.ok(error instanceof CompanyNotConnected);
    assert.equal(error.status, 409);
    assert.match(error.message, /administrator must connect it/);
  });
});

describe('keeping the connection alive', () => {
  test('an expired access token is refreshed; each refresh overwrites the stored refresh token', async () => {
    let clock = Date.now();
    const { company, store } = instance({ now: () => clock });
    await company.connect(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken());
    const first = (await store.getConnection(COMPANY_CONNECTION))!.refreshToken;
    clock += 61 * 60 * 1000;
    await company.withToken(noop);
    assert.equal(concur().grants.refresh_token, 1);
    const second = (await store.getConnection(COMPANY_CONNECTION))!.refreshToken;
    assert.notEqual(second, first);
    clock += 61 * 60 * 1000;
    await company.withToken(noop);
    assert.equal(concur().grants.refresh_token, 2, 'the rotated refresh token works for the next one');
  });

  test('the schedule refreshes a month after the last refresh, not before, and the expiry slides', async () => {
    let clock = Date.now();
    const fake = concurAt(() => clock);
    const { company, store } = instance({ now: () => clock });
    await company.connect(SANDBOX_COMPANY.id, fake.issueCompanyRequestToken());
    const before = (await store.getConnection(COMPANY_CONNECTION))!;
    clock += COMPANY_REFRESH_EVERY_MS - 60_000;
    assert.equal(await company.refreshIfDue(), false);
    assert.equal(fake.grants.refresh_token, 0);
    clock += 120_000;
    assert.equal(await company.refreshIfDue(), true);
    assert.equal(fake.grants.refresh_token, 1);
    const after = (await store.getConnection(COMPANY_CONNECTION))!;
    assert.ok(after.refreshedAt > before.refreshedAt);
    assert.ok(after.refreshExpiresAt! >= before.refreshExpiresAt! + COMPANY_REFRESH_EVERY_MS - 1000, 'expiry slid');
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.equal(await company.refreshIfDue(), false, 'not due again right after');
  });

  test('the scheduled check runs by itself when the server starts it', async () => {
    let clock = Date.now();
    const fake = concurAt(() => clock);
    const { company } = instance({ now: () => clock });
    await company.connect(SANDBOX_COMPANY.id, fake.issueCompanyRequestToken());
    clock += COMPANY_REFRESH_EVERY_MS + 1;
    company.start();
    for (let i = 0; i < 100 && fake.grants.refresh_token === 0; i++) await new Promise((r) => setTimeout(r, 10));
    company.stop();
    assert.equal(fake.grants.refresh_token, 1, 'the check at start refreshed the due connection');
  });

  test('two instances on one store: one refresh between them, and both can call', async () => {
    const { fake, a, b, advance } = await twoInstances();
    assert.equal((await b.company.status())?.companyId, SANDBOX_COMPANY.id, 'B sees the connection A made');
    advance(COMPANY_REFRESH_EVERY_MS + 1);
    const due = await Promise.all([a.company.refreshIfDue(), b.company.refreshIfDue()]);
    assert.deepEqual(due.sort(), [false, true], 'exactly one instance refreshed');
    assert.equal(fake.grants.refresh_token, 1);
    // B has no access token of its own: it refreshes the (new) stored token, and A's later refresh uses B's result.
    assert.equal(await b.company.withToken(noop), 'called');
    advance(61 * 60 * 1000);
    assert.equal(await a.company.withToken(noop), 'called');
    assert.equal(fake.grants.refresh_token, 3, 'every refresh used the latest stored refresh token');
  });

  test('concurrent first calls on two instances share the store without a lost refresh token', async () => {
    const { store, a, b, advance } = await twoInstances();
    advance(61 * 60 * 1000);
    const results = await Promise.all([
      a.company.withToken(noop),
      b.company.withToken(noop),
      a.company.withToken(noop),
    ]);
    assert.deepEqual(results, ['called', 'called', 'called']);
    assert.equal((await store.getConnection(COMPANY_CONNECTION))?.disconnected, undefined, 'still connected');
  });
});

describe('revoked and disconnected', () => {
  test('a refresh Concur refuses (108) marks the connection disconnected, logged once', async () => {
    let clock = Date.now();
    const logs: string[] = [];
    const { company } = instance({ now: () => clock, logs });
    await company.connect(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken());
    concur().disconnectCompany();
    clock += 61 * 60 * 1000;
    await assert.rejects(company.withToken(noop), CompanyNotConnected);
    await assert.rejects(company.withToken(noop), CompanyNotConnected);
    const status = await company.status();
    assert.equal(status?.connected, false);
    assert.match(status.disconnected!.reason, /error 108/);
    assert.equal(logs.filter((l) => l.includes('was revoked in Concur')).length, 1);
  });

  test('a 401 on a call is refreshed and retried; when the refresh is refused the connection is disconnected', async () => {
    const { company } = instance();
    await company.connect(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken());
    concur().disconnectCompany();
    // The held access token is revoked too: the call gets 401, the refresh 108.
    const call = (token: { accessToken: string }) =>
      fetch('https://us.api.concursolutions.com/expensereports/v4/reports/X/expenses/Y', {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token.accessToken}`, 'content-type': 'application/json' },
        body: '{}',
      }).then((r) => {
        if (r.status === 401) throw new ConcurHttpError('refused', 401);
        return r.status;
      });
    await assert.rejects(company.withToken(call), CompanyNotConnected);
    assert.equal((await company.status())?.connected, false);
  });

  test('disconnect revokes at Concur (DELETE /app-mgmt/v0/connections) and forgets the tokens', async () => {
    const { company, store } = instance();
    await company.connect(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken());
    const refreshToken = (await store.getConnection(COMPANY_CONNECTION))!.refreshToken;
    const seen: string[] = [];
    msw.events.on('request:start', ({ request }) => void seen.push(`${request.method} ${request.url}`));
    assert.deepEqual(await company.disconnect('test'), { revoked: true });
    msw.events.removeAllListeners();
    assert.deepEqual(seen, ['DELETE https://us.api.concursolutions.com/app-mgmt/v0/connections']);
    assert.equal(await store.getConnection(COMPANY_CONNECTION), undefined);
    assert.equal(concur().redeemRefreshToken(refreshToken), undefined, 'Concur no longer honours the refresh token');
    await assert.rejects(company.withToken(noop), CompanyNotConnected);
  });
});
