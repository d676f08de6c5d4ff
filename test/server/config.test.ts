// The configuration schema: sandbox defaults, overrides, and one clear line for each bad value.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, SAMPLE_CATALOG } from '../../server/config.ts';
import { runScriptSync } from '../scanned-node.ts';
import { ENV } from './helpers.ts';

describe('loadConfig', () => {
  test('with no CONCUR_CLIENT_ID the sandbox runs on 8080 with documented defaults', () => {
    const c = loadConfig({});
    assert.equal(c.sandbox, true);
    assert.equal(c.port, 8080);
    assert.equal(c.publicUrl, 'http://localhost:8080');
    assert.equal(c.oauth.tokenBase, 'http://localhost:8080/sandbox/concur');
    assert.equal(c.catalogFile, SAMPLE_CATALOG);
    assert.deepEqual(c.extraAllowedHosts, ['localhost:8080']);
  });

  test('PORT overrides the port and the default public URL', () => {
    const c = loadConfig({ PORT: '9090' });
    assert.equal(c.port, 9090);
    assert.equal(c.publicUrl, 'http://localhost:9090');
  });

  test('a real Concur configuration', () => {
    const c = loadConfig({ ...ENV, CONCUR_ALLOWED_HOSTS: 'proxy.example.com:8443, 127.0.0.1:9000' });
    assert.equal(c.sandbox, false);
    assert.equal(c.oauth.tokenBase, 'https://glz.api.concursolutions.com', 'codes are exchanged at GLZ');
    assert.deepEqual(c.extraAllowedHosts, ['proxy.example.com:8443', '127.0.0.1:9000']);
    assert.equal(c.host, '0.0.0.0');
  });

  test('the store: SQLite in DATA_DIR by default, sqlite:<file> or a path, redis:// with a key, or memory', () => {
    const KEY = 'a'.repeat(64);
    assert.deepEqual(loadConfig({}).store, {
      kind: 'sqlite',
      file: 'data/state.sqlite',
      key: undefined,
      keyFile: 'data/store.key',
    });
    assert.equal(
      (loadConfig({ DATA_DIR: '/var/lib/leu' }).store as { file: string }).file,
      '/var/lib/leu/state.sqlite',
    );
    assert.equal((loadConfig({ STORE_URL: 'sqlite:/srv/leu.db' }).store as { file: string }).file, '/srv/leu.db');
    assert.equal((loadConfig({ STORE_URL: '/srv/leu.db' }).store as { file: string }).file, '/srv/leu.db');
    assert.equal(
      loadConfig({ ...ENV, STORE_URL: 'sqlite:/srv/leu.db', TOKEN_ENCRYPTION_KEY: KEY }).store.kind,
      'sqlite',
    );
    const redis = loadConfig({
      ...ENV,
      STORE_URL: 'redis://:pw@cache.internal:6379/2',
      TOKEN_ENCRYPTION_KEY: KEY,
    }).store;
    assert.deepEqual(
      { ...redis, key: undefined },
      { kind: 'redis', url: 'redis://:pw@cache.internal:6379/2', key: undefined, prefix: 'leu:' },
    );
    assert.deepEqual(loadConfig({ STORE_URL: 'memory' }).store, { kind: 'memory' });
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    [
      'a real deployment without a key for its store',
      { ...ENV, STORE_URL: undefined as unknown as string },
      /^TOKEN_ENCRYPTION_KEY: is required .* the store keeps Concur tokens/,
    ],
    [
      'Redis without a key',
      { STORE_URL: 'redis://127.0.0.1:6379' },
      /^TOKEN_ENCRYPTION_KEY: is required .* when STORE_URL is Redis/,
    ],
    ['a store of an unknown kind', { STORE_URL: 'postgres://db/leu' }, /^STORE_URL: must be an SQLite file/],
    ['a store key that is not 32 bytes', { TOKEN_ENCRYPTION_KEY: 'abcd' }, /^TOKEN_ENCRYPTION_KEY: must be 32 bytes/],
    ['a negative rate limit', { RATE_LIMIT_SEARCHES_PER_MINUTE: '-1' }, /^RATE_LIMIT_SEARCHES_PER_MINUTE: /],
    [
      'a short password',
      { ...ENV, CONNECTOR_PASSWORD: 'short' },
      /^CONNECTOR_PASSWORD: CONNECTOR_PASSWORD must be 10 to 50 characters/,
    ],
    ['a long user name', { ...ENV, CONNECTOR_USERNAME: 'u'.repeat(51) }, /^CONNECTOR_USERNAME: .*10 to 50 characters/],
    [
      'a missing password outside the sandbox',
      { ...ENV, CONNECTOR_PASSWORD: undefined as unknown as string },
      /^CONNECTOR_PASSWORD: CONNECTOR_PASSWORD is required/,
    ],
    [
      'a client id without a secret',
      { ...ENV, CONCUR_CLIENT_SECRET: '' },
      /^CONCUR_CLIENT_SECRET: is required when CONCUR_CLIENT_ID is set/,
    ],
    [
      'a client id without a redirect URI',
      { ...ENV, CONCUR_REDIRECT_URI: undefined as unknown as string },
      /^CONCUR_REDIRECT_URI: is required/,
    ],
    ['a port out of range', { PORT: '70000' }, /^PORT: /],
    [
      'a public URL that is not a URL',
      { PUBLIC_URL: 'connector.example.com' },
      /^PUBLIC_URL: PUBLIC_URL must be an http\(s\) URL/,
    ],
    [
      'an allowed host with a scheme',
      { CONCUR_ALLOWED_HOSTS: 'https://proxy.example.com' },
      /^CONCUR_ALLOWED_HOSTS: each entry must be host or host:port/,
    ],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, /^LOG_LEVEL: /],
  ];
  for (const [name, env, message] of bad) {
    test(`${name} is named in the error`, () => {
      assert.throws(
        () => loadConfig(env),
        (e: Error) => e.name === 'ConfigError' && message.test(e.message),
      );
    });
  }
});

test('the server stops at start with one line when Redis cannot be reached', () => {
  const run = runScriptSync(['server/index.ts'], {
    PORT: '0',
    STORE_URL: 'REDIS://:hunter2-secret@127.0.0.1:1/0?password=hunter3-secret',
    TOKEN_ENCRYPTION_KEY: 'b'.repeat(64),
  });
  assert.equal(run.status, 1);
  assert.match(
    run.stderr.trim(),
    /^Configuration error: STORE_URL: Redis at redis:\/\/127\.0\.0\.1:1\/0 cannot be reached \(.+\)$/,
  );
  assert.ok(!run.stderr.includes('hunter'), 'no password is printed, from the user part or the query');
});

test('the server stops at start with one line naming the bad variable', () => {
  const run = runScriptSync(['server/index.ts'], { CONNECTOR_PASSWORD: 'short' });
  assert.equal(run.status, 1);
  assert.equal(
    run.stderr.trim(),
    'Configuration error: CONNECTOR_PASSWORD: CONNECTOR_PASSWORD must be 10 to 50 characters, as Concur requires',
  );
});
