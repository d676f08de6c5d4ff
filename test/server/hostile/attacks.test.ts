// Attacks on the connector, replayed as an attacker made them: an edited field id, characters moved between
// signed values, huge bodies, junk launches, redirects from Concur, password guessing on Test Connection, forged
// allocation ids, odd item_url schemes (the sandbox's own: test/server/routes/sandbox.test.ts). Each asserts what the
// attacker sees after the fix: the status, nothing written in the fake Concur, no row leaked.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import type { ErrorBody, SearchResponse } from '../../../src/contract/api.ts';
import {
  CONCUR,
  ENV,
  EXPENSE_ID,
  bearer,
  fieldsFile,
  launchQuery,
  launchSession,
  makeApp,
  postCommit,
  useFakeConcur,
  claimAfter,
} from '../helpers.ts';
import { CONCUR_TOKEN_HOST } from '../../../server/concur/hosts.ts';
import { SANDBOX_DELEGATE, SANDBOX_FIELDS, SANDBOX_IDS } from '../../../server/sandbox/concur-state.ts';
import { signLaunchV4, type SignedLaunchV4 } from '../../../server/launch/signature.ts';
import { loadConfig } from '../../../server/config.ts';
import { createLogger } from '../../../server/logger.ts';
import { startServer } from '../../../server/serve.ts';
import { MAX_BODY_BYTES } from '../../../server/request-guards.ts';
import { EXAMPLE_FIELDS_FILE } from '../../../server/sandbox/fields.ts';

const { msw, concur } = useFakeConcur();
const JSON_ACCEPT = { accept: 'application/json' };
const form = (q: URLSearchParams) => `/launchexternalurl/v4/form?${q.toString()}`;
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

describe('an edited custom_field_launched_from', () => {
  test('a field id in another case is written as the configuration spells it', async () => {
    const { app } = await makeApp();
    const token = await launchSession(app, concur(), { unsigned: { custom_field_launched_from: 'CUSTOM12' } });
    const res = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { field: string }).field, 'custom12');
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), 'PRJ-1042');
  });

  for (const field of ['custom1', 'custom40', 'orgUnit1']) {
    test(`a launch edited to ${field} is refused with a page, and nothing is written there`, async () => {
      const { app } = await makeApp();
      const before = concur().fieldValue(EXPENSE_ID, field);
      const res = await app.request(form(launchQuery(concur(), { unsigned: { custom_field_launched_from: field } })));
      assert.equal(res.status, 400);
      const page = await res.text();
      assert.match(page, /This button is not set up/);
      assert.match(page, new RegExp(`\\(${field}\\) is not set up in the connector`));
      assert.equal(res.headers.get('set-cookie'), null, 'no session is handed out');
      assert.equal(concur().fieldValue(EXPENSE_ID, field), before, 'the field keeps its value');
    });
  }

  test("another wizard's free-text field cannot be launched: its value stays as it was", async () => {
    const { app } = await makeApp({ env: { FIELDS_FILE: EXAMPLE_FIELDS_FILE } });
    const before = concur().fieldValue(EXPENSE_ID, 'custom19');
    const res = await app.request(
      form(launchQuery(concur(), { unsigned: { custom_field_launched_from: 'custom19' } })),
      { headers: JSON_ACCEPT },
    );
    assert.equal(res.status, 400);
    assert.equal((await errorOf(res)).code, 'field_not_configured');
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom19'), before);
    // The wizard itself still launches.
    assert.equal(
      (await app.request(form(launchQuery(concur(), { unsigned: { custom_field_launched_from: 'custom16' } })))).status,
      200,
    );
  });

  test('a fields file with a "default" source for unlisted fields stops the start, saying why', async () => {
    const file = fieldsFile({ sources: { p: { type: 'catalog' } }, default: 'p' });
    await assert.rejects(
      makeApp({ env: { FIELDS_FILE: file } }),
      /FIELDS_FILE: .*default: .*list each Launch URL field under fields/,
    );
  });
});

describe('characters moved between signed values', () => {
  test(
    'moved across several boundaries at once (an employee id that is itself a UUID): refused, ' +
      'since the token is for the user who clicked',
    async () => {
      const { app } = await makeApp({ env: { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '0' } });
      const employee = crypto.randomUUID();
      // A delegate's launch: the logged-in user (the delegate) is not the report's owner.
      const entry = concur().expenses.get(EXPENSE_ID)!;
      const genuine = launchQuery(concur(), {
        signed: {
          logged_in_user_id: SANDBOX_DELEGATE.id,
          item_url: concur().entryUrl(entry, 'PROXY'),
          report_owner_employee_id: employee,
        },
      });
      genuine.set('client_auth_code', concur().issueAuthCode(SANDBOX_DELEGATE.id));
      const [domain, user, owner] = [
        genuine.get('company_domain') ?? '',
        genuine.get('logged_in_user_id') ?? '',
        genuine.get('report_owner_user_id') ?? '',
      ];
      // Everything moves 36 characters left: the user id joins the domain, the owner becomes the user,
      // the employee the owner.
      for (const [k, v] of Object.entries({
        company_domain: domain + user,
        logged_in_user_id: owner,
        report_owner_user_id: employee,
        report_owner_employee_id: '',
      }))
        genuine.set(k, v);
      // Its signature holds, so the page is sent; the exchange then shows whose token it is, and no session is made.
      const res = await claimAfter(app, genuine);
      assert.equal(res.status, 401);
      assert.equal((await errorOf(res)).code, 'launch_user_mismatch');
    },
  );

  /** A launch whose signed values are changed without changing their concatenation: the signature still matches. */
  const shifted = (change: (v: SignedLaunchV4) => Partial<SignedLaunchV4>) => {
    const genuine = launchQuery(concur());
    const values = Object.fromEntries(
      [
        'company_domain',
        'logged_in_user_id',
        'report_owner_user_id',
        'report_owner_employee_id',
        'item_url',
        'nonce',
      ].map((k) => [k, genuine.get(k)!]),
    ) as unknown as SignedLaunchV4;
    const moved = { ...values, ...change(values) };
    const concat = (v: SignedLaunchV4) =>
      v.company_domain + v.logged_in_user_id + v.report_owner_user_id + v.report_owner_employee_id + v.item_url;
    assert.equal(concat(moved), concat(values), 'the attack keeps the signed string');
    assert.equal(
      signLaunchV4(moved, { username: ENV.CONNECTOR_USERNAME, password: ENV.CONNECTOR_PASSWORD }),
      genuine.get('signature'),
    );
    for (const [k, v] of Object.entries(moved)) genuine.set(k, v);
    return genuine;
  };

  const attacks: [string, (v: SignedLaunchV4) => Partial<SignedLaunchV4>][] = [
    [
      'the employee id blanked into the owner id',
      (v) => ({
        report_owner_user_id: v.report_owner_user_id + v.report_owner_employee_id,
        report_owner_employee_id: '',
      }),
    ],
    [
      'the owner id shortened into the employee id',
      (v) => ({
        report_owner_user_id: v.report_owner_user_id.slice(0, -3),
        report_owner_employee_id: v.report_owner_user_id.slice(-3) + v.report_owner_employee_id,
      }),
    ],
    [
      'the user id moved into company_domain',
      (v) => ({
        company_domain: v.company_domain + v.logged_in_user_id.slice(0, 2),
        logged_in_user_id: v.logged_in_user_id.slice(2),
      }),
    ],
    [
      'company_domain moved into the user id',
      (v) => ({
        company_domain: v.company_domain.slice(0, -2),
        logged_in_user_id: v.company_domain.slice(-2) + v.logged_in_user_id,
      }),
    ],
    [
      'the employee id moved into item_url',
      (v) => ({
        report_owner_employee_id: v.report_owner_employee_id.slice(0, -2),
        item_url: v.report_owner_employee_id.slice(-2) + v.item_url,
      }),
    ],
  ];
  for (const [name, change] of attacks) {
    test(`${name}: refused as malformed, no session`, async () => {
      const { app } = await makeApp({ env: { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '0' } });
      const res = await app.request(form(shifted(change)), { headers: JSON_ACCEPT });
      assert.equal(res.status, 400);
      const error = await errorOf(res);
      assert.equal(error.code, 'launch_params_invalid');
      assert.match(error.message, /is not a Concur user id|is not an http\(s\) address/);
    });
  }

  test("a customer's API whose URL names {employeeId} is not asked when Concur sends no employee id", async () => {
    const asked: string[] = [];
    msw.use(
      http.get('https://erp.example.com/api/cards', ({ request }) => {
        asked.push(request.url);
        return HttpResponse.json([
          { id: 'CARD-1', name: 'Corporate card Alice' },
          { id: 'CARD-2', name: 'Corporate card Bob' },
        ]);
      }),
    );
    const fields = {
      sources: {
        cards: {
          type: 'http',
          url: 'https://erp.example.com/api/cards?q={query}&employee={employeeId}',
          map: { code: 'id', label: 'name' },
        },
      },
      fields: { custom12: 'cards' },
    };
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(fields) } });
    const blank = await launchSession(app, concur(), { signed: { report_owner_employee_id: '' } });
    const search = (await (
      await app.request('/api/search?q=card', { headers: bearer(blank) })
    ).json()) as SearchResponse;
    assert.deepEqual([search.items, search.total], [[], 0]);
    assert.equal((await postCommit(app, blank, { code: 'CARD-2' })).status, 422);
    assert.deepEqual(asked, [], 'the API was never asked for everyone');
    const named = await launchSession(app, concur(), { signed: { report_owner_employee_id: 'EMP-1' } });
    assert.equal(
      ((await (await app.request('/api/search?q=card', { headers: bearer(named) })).json()) as SearchResponse).total,
      2,
    );
    assert.match(asked[0]!, /employee=EMP-1/);
  });

  test('a hide filter on {employeeId} hides its rows when Concur sends no employee id (fails closed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leu-attack-'));
    writeFileSync(
      join(dir, 'cards.csv'),
      'code,label,employee\n' +
        'CARD-1,Corporate card Alice,EMP-1\nCARD-2,Corporate card Bob,EMP-2\nPOOL,Shared pool card,\n',
    );
    const fields = {
      sources: {
        cards: {
          type: 'catalog',
          file: join(dir, 'cards.csv'),
          filters: [{ column: 'employee', equals: '{employeeId}', otherwise: 'hide' }],
        },
      },
      fields: { custom12: 'cards' },
    };
    const { app } = await makeApp({ env: { FIELDS_FILE: fieldsFile(fields) } });
    const codes = async (token: string) =>
      (
        (await (await app.request('/api/search?q=card', { headers: bearer(token) })).json()) as SearchResponse
      ).items.map((i) => i.code);
    assert.deepEqual(
      await codes(await launchSession(app, concur(), { signed: { report_owner_employee_id: 'EMP-1' } })),
      ['CARD-1', 'POOL'],
    );
    const blank = await launchSession(app, concur(), { signed: { report_owner_employee_id: '' } });
    assert.deepEqual(await codes(blank), ['POOL'], "no other employee's card is shown");
    const res = await postCommit(app, blank, { code: 'CARD-2' });
    assert.equal(res.status, 422);
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), null, 'nothing is written');
  });
});

/** A connector on a real socket for `run`, stopped after it. */
async function withServer(run: (url: string) => Promise<void>): Promise<void> {
  const server = await startServer((bound) => loadConfig({ ...ENV, PORT: '0', PUBLIC_URL: bound }), {
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('silent'),
  });
  try {
    await run(server.url);
  } finally {
    await server.close();
  }
}

/** Sends the head of a request and only its first kilobyte of body: the answer must come without the rest. */
function sendPart(url: URL, method: string, headers: Record<string, string>) {
  return new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    const req = httpRequest(url, { method, headers });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
      req.destroy();
    });
    req.on('error', reject);
    req.write('{"code":"' + 'x'.repeat(1024));
  });
}

describe('request bodies', () => {
  test('a GET or HEAD that declares a body is refused and its connection closed, over a real socket', async () => {
    await withServer(async (url) => {
      for (const [method, headers] of [
        ['GET', { 'content-length': String(400 * 1024 * 1024) }],
        ['HEAD', { 'transfer-encoding': 'chunked' }],
      ] as const) {
        const answer = await sendPart(new URL('/healthz', url), method, headers);
        assert.deepEqual(answer, { status: 413, connection: 'close' }, method);
      }
    });
  });

  test(
    `a body declared larger than ${MAX_BODY_BYTES / 1024} KB ` + 'is refused 413 by its Content-Length, unread',
    async () => {
      const { app } = await makeApp();
      const token = await launchSession(app, concur());
      let pulled = 0;
      const body = new ReadableStream({ pull: (c) => void ((pulled += 1), c.enqueue(new Uint8Array(1024))) });
      const res = await app.request('/api/commit', {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { ...bearer(token), 'content-type': 'application/json', 'content-length': String(400 * 1024 * 1024) },
      });
      assert.equal(res.status, 413);
      assert.equal((await errorOf(res)).code, 'body_too_large');
      assert.equal(res.headers.get('connection'), 'close');
      assert.ok(pulled <= 2, `read ${pulled} KB of a body it refused by its length`);
      assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), null);
    },
  );

  test('a streamed body without a length is cut off just past the limit, on every route', async () => {
    const { app } = await makeApp();
    for (const path of ['/api/commit', '/api/session', '/launchexternalurl/v4/form', '/nowhere']) {
      let pulled = 0;
      const body = new ReadableStream({
        pull: (c) => void ((pulled += 16 * 1024), c.enqueue(new Uint8Array(16 * 1024))),
      });
      const res = await app.request(path, {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { 'content-type': 'application/json', ...JSON_ACCEPT },
      });
      assert.equal(res.status, 413, path);
      assert.ok(pulled <= MAX_BODY_BYTES + 3 * 16 * 1024, `${path}: read ${pulled} bytes`);
    }
  });

  test('over a real socket, a 400 MB commit is answered 413 before its body is sent', async () => {
    await withServer(async (url) => {
      const headers = {
        'content-type': 'application/json',
        'content-length': String(400 * 1024 * 1024),
        authorization: 'Bearer x',
      };
      assert.deepEqual(await sendPart(new URL('/api/commit', url), 'POST', headers), {
        status: 413,
        connection: 'close',
      });
    });
  });
});

describe('junk launches from a shared address', () => {
  test(
    '100 unsigned GETs (an <img> tag can send them) ' +
      'never keep a correctly signed launch from the same address out',
    async () => {
      const { app } = await makeApp({ env: { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '30', TRUST_PROXY_HOPS: '1' } });
      const from = { 'x-forwarded-for': '198.51.100.20' };
      const junk = await Promise.all(
        Array.from({ length: 100 }, () =>
          Promise.resolve(app.request('/launchexternalurl/v4/form', { headers: from })).then((r) => r.status),
        ),
      );
      assert.deepEqual([...new Set(junk)].sort(), [400, 429]);
      assert.equal((await app.request(form(launchQuery(concur())), { headers: from })).status, 200);
    },
  );
});

describe('redirects from Concur', () => {
  const EVIL = 'https://evil.example.com';
  const stolen: string[] = [];
  const evil = () => {
    stolen.length = 0;
    msw.use(
      http.all(`${EVIL}/*`, async ({ request }) => {
        stolen.push(
          `${request.method} ${request.url} ${await request.text()} ${request.headers.get('authorization') ?? ''}`,
        );
        return HttpResponse.json({ access_token: 'x', expires_in: 3600 });
      }),
    );
  };

  test('a 307 from the token endpoint is a failed sign-in: the client secret and the code go nowhere else', async () => {
    evil();
    msw.use(
      http.post(
        `${CONCUR_TOKEN_HOST}/oauth2/v0/token`,
        () => new HttpResponse(null, { status: 307, headers: { location: `${EVIL}/oauth2/v0/token` } }),
      ),
    );
    const { app, logs } = await makeApp();
    const res = await claimAfter(app, launchQuery(concur()));
    assert.equal(res.status, 502);
    assert.equal((await errorOf(res)).code, 'concur_unavailable');
    assert.deepEqual(stolen, []);
    assert.ok(
      logs.some(
        (l) =>
          l.includes('redirect, which the connector never follows') && l.includes('"redirectHost":"evil.example.com"'),
      ),
      'a clear log line',
    );
  });

  test("a 302 from an item read or write sends the user's token nowhere else, and nothing is written", async () => {
    const { app } = await makeApp();
    const token = await launchSession(app, concur());
    evil();
    msw.use(
      http.all(
        `${CONCUR}/expensereports/*`,
        ({ request }) =>
          new HttpResponse(null, { status: 302, headers: { location: `${EVIL}${new URL(request.url).pathname}` } }),
      ),
    );
    assert.equal((await app.request('/api/context', { headers: bearer(token) })).status, 502);
    assert.equal((await postCommit(app, token, { code: 'PRJ-1042' })).status, 502);
    assert.deepEqual(stolen, []);
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), null);
  });
});

describe('Test Connection password guessing', () => {
  const PATH = '/system/v1.0/testconnection';
  const basic = (password: string, ip: string) => ({
    authorization: `Basic ${btoa(`${ENV.CONNECTOR_USERNAME}:${password}`)}`,
    'x-forwarded-for': ip,
  });

  test('wrong passwords are throttled per address; past the limit even the right one waits, other addresses do not', async () => {
    const { app } = await makeApp({ env: { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '5', TRUST_PROXY_HOPS: '1' } });
    const guesses: number[] = [];
    for (let i = 0; i < 8; i++)
      guesses.push((await app.request(PATH, { headers: basic(`guess-${i}-Passw0rd`, '198.51.100.30') })).status);
    assert.deepEqual(guesses, [401, 401, 401, 401, 401, 429, 429, 429]);
    const right = await app.request(PATH, { headers: basic(ENV.CONNECTOR_PASSWORD, '198.51.100.30') });
    assert.equal(right.status, 429, 'the right guess is not told apart');
    assert.ok(Number(right.headers.get('retry-after')) >= 1);
    assert.equal((await app.request(PATH, { headers: basic(ENV.CONNECTOR_PASSWORD, '198.51.100.31') })).status, 200);
  });

  test('a burst of 200 guesses at once gets no more than the limit checked, the right one among them', async () => {
    const { app } = await makeApp({ env: { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '5', TRUST_PROXY_HOPS: '1' } });
    const guesses = Array.from({ length: 200 }, (_, i) => (i === 150 ? ENV.CONNECTOR_PASSWORD : `guess-${i}-Passw0rd`));
    const statuses = await Promise.all(
      guesses.map(async (g) => (await app.request(PATH, { headers: basic(g, '198.51.100.32') })).status),
    );
    assert.equal(statuses.filter((st) => st !== 429).length, 5, 'five were checked, the rest refused before checking');
    assert.equal(statuses[150], 429, 'the right password, past the limit, looks like every other refusal');
  });
});

describe('expense_ids of an allocation', () => {
  test('the write names only the expense Concur says the allocation belongs to, never the ids as given', async () => {
    const sent: unknown[] = [];
    msw.events.on('request:start', async ({ request }) => {
      if (request.method === 'PATCH' && request.url.includes('/allocations/'))
        sent.push(((await request.clone().json()) as { expenseIds: unknown }).expenseIds);
    });
    try {
      const { app } = await makeApp();
      const token = await launchSession(app, concur(), {
        signed: { item_url: concur().allocationUrl(SANDBOX_IDS.hotelAllocationA) },
        unsigned: {
          source: 'ALLOCATION',
          custom_field_launched_from: SANDBOX_FIELDS.ALLOCATION.id,
          expense_ids: `${SANDBOX_IDS.taxi},${SANDBOX_IDS.train},${SANDBOX_IDS.hotel}`,
        },
      });
      assert.equal((await postCommit(app, token, { code: 'PRJ-1042' })).status, 200);
      assert.deepEqual(sent, [[SANDBOX_IDS.hotel]]);
      const allocation = concur().allocations.get(SANDBOX_IDS.hotelAllocationA)!;
      assert.equal(allocation.customData.find((f) => f.id === SANDBOX_FIELDS.ALLOCATION.id)?.value, 'PRJ-1042');
    } finally {
      msw.events.removeAllListeners();
    }
  });
});

describe('item_url schemes', () => {
  for (const itemUrl of [
    'javascript:alert(1)//expensereports/v4/users/u/context/TRAVELER/reports/R',
    'file:///expensereports/v4/users/u/context/TRAVELER/reports/R/expenses/E',
    'data:text/html,x',
    'ftp://us.api.concursolutions.com/expensereports/v4/users/u/context/TRAVELER/reports/R/expenses/E',
  ]) {
    test(`a signed item_url ${itemUrl.slice(0, 24)}… is a 400 with a readable message`, async () => {
      const { app } = await makeApp();
      const res = await app.request(form(launchQuery(concur(), { signed: { item_url: itemUrl } })), {
        headers: JSON_ACCEPT,
      });
      assert.equal(res.status, 400);
      const error = await errorOf(res);
      assert.equal(error.code, 'launch_params_invalid');
      assert.match(error.message, /item_url is not an http\(s\) address/);
      const page = await (await app.request(form(launchQuery(concur(), { signed: { item_url: itemUrl } })))).text();
      assert.match(page, /This link from Concur is incomplete/);
      assert.doesNotMatch(page, /at .*\.ts:\d+/, 'no stack trace');
    });
  }
});

describe('the hand-off cookie', () => {
  test('over https it is __Host-leu_handoff: Secure, Path=/, no Domain; the popup claims its session with it', async () => {
    const { app } = await makeApp();
    const res = await app.request(form(launchQuery(concur())));
    const cookie = res.headers.get('set-cookie')!;
    assert.match(cookie, /^__Host-leu_handoff=[\w-]+;/);
    assert.match(cookie, /; Path=\/;/);
    assert.match(cookie, /; Secure/);
    assert.doesNotMatch(cookie, /Domain=/i);
    const claim = await app.request('/api/session', { method: 'POST', headers: { cookie: cookie.split(';')[0]! } });
    assert.equal(claim.status, 200);
    assert.match(claim.headers.get('set-cookie') ?? '', /^__Host-leu_handoff=;.*Max-Age=0/, 'and it is deleted');
    const plain = await app.request('/api/session', {
      method: 'POST',
      headers: { cookie: `leu_handoff=${cookie.split(';')[0]!.split('=')[1]}` },
    });
    assert.equal(plain.status, 401, 'the unprefixed name is not read over https');
  });

  test('over plain http (the sandbox on loopback) it keeps its name and the session path', async () => {
    const { app } = await makeApp({ env: { PUBLIC_URL: 'http://127.0.0.1:3000' } });
    const cookie = (await app.request(form(launchQuery(concur())))).headers.get('set-cookie')!;
    assert.match(cookie, /^leu_handoff=[\w-]+; Max-Age=120; Path=\/api\/session; HttpOnly; SameSite=Strict$/);
  });
});
