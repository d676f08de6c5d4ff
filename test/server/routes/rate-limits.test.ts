// Rate limits: searches per popup session and per embedding visitor, refused launches per client address (behind
// TRUST_PROXY_HOPS proxies, the address the outermost one saw); each answered 429 with Retry-After, and 0 turns off.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import type { ErrorBody } from '../../../src/contract/api.ts';
import { addressBucket, clientAddress } from '../../../server/rate-limits.ts';
import { loadConfig } from '../../../server/config.ts';
import { createLogger } from '../../../server/logger.ts';
import { startServer } from '../../../server/serve.ts';
import { http, passthrough } from 'msw';
import { ENV } from '../helpers.ts';
import { bearer, launchQuery, launchSession, makeApp, useFakeConcur } from '../helpers.ts';

const { msw, concur } = useFakeConcur();
const JSON_ACCEPT = { accept: 'application/json' };

describe('search rate limit', () => {
  test('a session past its searches a minute gets 429 with Retry-After; another session is not held back', async () => {
    const { app } = await makeApp({ env: { RATE_LIMIT_SEARCHES_PER_MINUTE: '3' } });
    const [one, two] = [await launchSession(app, concur()), await launchSession(app, concur())];
    for (let i = 0; i < 3; i++)
      assert.equal((await app.request('/api/search?q=zur', { headers: bearer(one) })).status, 200);
    const limited = await app.request('/api/search?q=zur', { headers: bearer(one) });
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    const body = (await limited.json()) as ErrorBody;
    assert.equal(body.error.code, 'rate_limited');
    assert.match(body.error.message, /Too many searches/);
    assert.equal((await app.request('/api/search?q=zur', { headers: bearer(two) })).status, 200);
  });

  test('the embedding pages are limited per visitor address; 0 turns the limit off', async () => {
    const embed = {
      EMBED_ALLOWED_ORIGINS: 'https://portal.example.com',
      EMBED_FIELDS: 'custom12',
      TRUST_PROXY_HOPS: '1',
    };
    const { app } = await makeApp({ env: { ...embed, RATE_LIMIT_SEARCHES_PER_MINUTE: '2' } });
    const search = (ip: string) =>
      app.request('/embed/v1/fields/custom12/search?q=zur', { headers: { 'x-forwarded-for': ip } });
    assert.deepEqual(
      [
        (await search('203.0.113.1')).status,
        (await search('203.0.113.1')).status,
        (await search('203.0.113.1')).status,
      ],
      [200, 200, 429],
    );
    assert.equal((await search('203.0.113.2')).status, 200);
    const { app: unlimited } = await makeApp({ env: { ...embed, RATE_LIMIT_SEARCHES_PER_MINUTE: '0' } });
    for (let i = 0; i < 20; i++)
      assert.equal((await unlimited.request('/embed/v1/fields/custom12/search?q=zur')).status, 200);
  });
});

describe('refused-launch rate limit', () => {
  test(
    'after too many refused launches an address gets 429 for unverified ones; ' +
      'a correctly signed launch always goes through',
    async () => {
      const { app } = await makeApp({ env: { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '3' } });
      for (let i = 0; i < 5; i++)
        assert.equal((await app.request(`/launchexternalurl/v4/form?${launchQuery(concur()).toString()}`)).status, 200);
      const forged = () => launchQuery(concur(), { tamper: { signature: 'AAAA' } });
      for (let i = 0; i < 3; i++)
        assert.equal(
          (await app.request(`/launchexternalurl/v4/form?${forged().toString()}`, { headers: JSON_ACCEPT })).status,
          401,
        );
      const refused = await app.request(`/launchexternalurl/v4/form?${forged().toString()}`);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.match(
        await refused.text(),
        /Too many links from this address could not be verified/,
        'a page a person can read',
      );
      assert.equal(
        (await app.request(`/launchexternalurl/v4/form?${launchQuery(concur()).toString()}`)).status,
        200,
        'a signed launch is never held back',
      );
    },
  );

  test('RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE=0 turns it off', async () => {
    const { app } = await makeApp({ env: { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '0' } });
    for (let i = 0; i < 40; i++) {
      assert.equal(
        (
          await app.request(
            `/launchexternalurl/v4/form?${launchQuery(concur(), { tamper: { signature: 'AAAA' } }).toString()}`,
          )
        ).status,
        401,
      );
    }
    assert.equal((await app.request(`/launchexternalurl/v4/form?${launchQuery(concur()).toString()}`)).status, 200);
  });
});

describe('the client address', () => {
  const addressOf = async (hops: number, xff?: string) => {
    const app = new Hono().get('/', (c) => c.text(clientAddress(c, hops)));
    return (await app.request('/', { headers: xff ? { 'x-forwarded-for': xff } : {} })).text();
  };
  test('with no trusted proxy, X-Forwarded-For is ignored (anyone can send it)', async () => {
    assert.equal(await addressOf(0, '203.0.113.9'), 'unknown');
  });
  test('with N trusted proxies, the address the outermost one appended; a forged entry further left is ignored', async () => {
    assert.equal(await addressOf(1, '6.6.6.6, 203.0.113.9'), '203.0.113.9');
    assert.equal(await addressOf(2, '6.6.6.6, 203.0.113.9, 10.0.0.2'), '203.0.113.9');
    assert.equal(await addressOf(2, '203.0.113.9'), '203.0.113.9', 'fewer entries than proxies: the leftmost');
  });
});

test('IPv6 addresses share a bucket per /64; IPv4-mapped addresses count as IPv4', () => {
  assert.equal(addressBucket('203.0.113.9'), '203.0.113.9');
  assert.equal(addressBucket('::ffff:203.0.113.9'), '203.0.113.9');
  assert.equal(addressBucket('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressBucket('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(addressBucket('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressBucket('::1'), '0:0:0:0::/64');
});

test("behind Node's server the socket's address is counted, and a forged X-Forwarded-For changes nothing", async () => {
  const server = await startServer(
    (bound) => loadConfig({ ...ENV, PORT: '0', PUBLIC_URL: bound, RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '2' }),
    { port: 0, host: '127.0.0.1', logger: createLogger('silent') },
  );
  msw.use(http.all(`${server.url}/*`, () => passthrough()));
  try {
    const launch = (xff: string) => {
      const forged = launchQuery(concur(), { tamper: { signature: 'AAAA' } });
      return fetch(`${server.url}/launchexternalurl/v4/form?${forged.toString()}`, {
        headers: { ...JSON_ACCEPT, 'x-forwarded-for': xff },
      });
    };
    assert.deepEqual(
      [
        (await launch('198.51.100.7')).status,
        (await launch('198.51.100.8')).status,
        (await launch('198.51.100.9')).status,
      ],
      [401, 401, 429],
    );
  } finally {
    await server.close();
  }
});
