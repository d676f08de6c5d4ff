// The company-level token: encrypted at rest, overwritten with whatever Concur returns, renewed long before expiry.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLIENT, ENV, useFakeConcur } from '../helpers.ts';
import { ConcurClient } from '../../../server/concur/client.ts';
import { createHostAllowlist } from '../../../server/concur/hosts.ts';
import { CompanyTokens, COMPANY_REFRESH_EVERY_MS, StoredCompanyToken } from '../../../server/concur/company-token.ts';
import { open } from '../../../server/concur/secret-box.ts';
import { createLogger } from '../../../server/serve.ts';
import { loadConfig } from '../../../server/config.ts';
import { SANDBOX_COMPANY } from '../../../server/sandbox/concur-state.ts';

const { concur } = useFakeConcur();
const KEY = Buffer.alloc(32, 7);

function setup(now = () => Date.now()) {
  const file = join(mkdtempSync(join(tmpdir(), 'company-')), 'token.json');
  const client = new ConcurClient({
    oauth: {
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      redirectUri: CLIENT.redirect,
      tokenBase: 'https://us.api.concursolutions.com',
    },
    allowlist: createHostAllowlist([]),
    logger: createLogger('silent'),
    backoffMs: 1,
    now,
  });
  return { file, tokens: new CompanyTokens({ file, key: KEY, client, logger: createLogger('silent'), now }) };
}
const stored = (file: string) => StoredCompanyToken.parse(JSON.parse(readFileSync(file, 'utf8')));
const storedRefreshToken = (file: string) => open(KEY, stored(file).refreshToken);

describe('company token', () => {
  test('bootstrap stores the refresh token encrypted, readable only by the owner', async () => {
    const { file, tokens } = setup();
    const status = await tokens.bootstrap(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken());
    assert.equal(status.companyId, SANDBOX_COMPANY.id);
    assert.equal(status.geolocation, 'https://us.api.concursolutions.com');
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /sbx-rt-/, 'no refresh token in plain text');
    assert.match(storedRefreshToken(file), /^sbx-rt-/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const { refreshToken } = StoredCompanyToken.parse(JSON.parse(text));
    assert.throws(() => open(Buffer.alloc(32, 8), refreshToken), 'another key cannot read it');
  });

  test('a wrong company request token gets a message telling the administrator what to do', async () => {
    const { tokens } = setup();
    await assert.rejects(
      tokens.bootstrap(SANDBOX_COMPANY.id, 'not-a-request-token'),
      /did not accept the company credentials. Run npm run company-token/,
    );
  });

  test(
    'the access token is reused while valid; ' + "a refresh overwrites the stored refresh token with Concur's new one",
    async () => {
      let clock = Date.now();
      const { file, tokens } = setup(() => clock);
      await tokens.bootstrap(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken());
      const first = storedRefreshToken(file);
      await tokens.withToken(() => Promise.resolve(undefined));
      await tokens.withToken(() => Promise.resolve(undefined));
      assert.equal(concur().grants.refresh_token, 0);
      clock += 61 * 60 * 1000;
      await tokens.withToken(() => Promise.resolve(undefined));
      assert.equal(concur().grants.refresh_token, 1);
      const second = storedRefreshToken(file);
      assert.notEqual(second, first, 'the rotated refresh token replaced the old one');
      clock += 61 * 60 * 1000;
      await tokens.withToken(() => Promise.resolve(undefined));
      assert.equal(concur().grants.refresh_token, 2, 'which works for the next refresh');
    },
  );

  test('is renewed when a month old, well before the six-month expiry, and not before', async () => {
    let clock = Date.now();
    const { file, tokens } = setup(() => clock);
    await tokens.bootstrap(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken());
    const before = stored(file).refreshedAt;
    clock += COMPANY_REFRESH_EVERY_MS - 60_000;
    assert.equal(await tokens.refreshIfAging(), false);
    clock += 120_000;
    assert.equal(await tokens.refreshIfAging(), true);
    assert.equal(concur().grants.refresh_token, 1);
    assert.ok(stored(file).refreshedAt > before);
  });

  test('a revoked refresh token gets a message telling the administrator to bootstrap again', async () => {
    let clock = Date.now();
    const { tokens } = setup(() => clock);
    await tokens.bootstrap(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken());
    concur().revokeRefreshTokens();
    clock += 2 * 60 * 60 * 1000;
    await assert.rejects(
      tokens.withToken(() => Promise.resolve(undefined)),
      /company refresh token was revoked or has expired.*npm run company-token/,
    );
  });
});

describe('company token configuration', () => {
  test('COMPANY_TOKEN_FILE without TOKEN_ENCRYPTION_KEY stops the start', () => {
    assert.throws(
      () => loadConfig({ ...ENV, COMPANY_TOKEN_FILE: '/tmp/x.json' }),
      /^ConfigError: TOKEN_ENCRYPTION_KEY: is required when COMPANY_TOKEN_FILE is set/,
    );
  });
  test('a key that is not 32 bytes stops the start', () => {
    assert.throws(
      () => loadConfig({ ...ENV, COMPANY_TOKEN_FILE: '/tmp/x.json', TOKEN_ENCRYPTION_KEY: 'abcd' }),
      /TOKEN_ENCRYPTION_KEY: must be 32 bytes/,
    );
  });
  test('hex and Base64 keys are accepted', () => {
    for (const key of ['0f'.repeat(32), Buffer.alloc(32, 3).toString('base64')]) {
      assert.equal(
        loadConfig({ ...ENV, COMPANY_TOKEN_FILE: '/tmp/x.json', TOKEN_ENCRYPTION_KEY: key }).companyToken!.key.length,
        32,
      );
    }
  });
});
