// The sandbox as an attacker meets it on a developer's machine: a page whose own name resolves to 127.0.0.1 (DNS
// rebinding) is refused. Real servers, no msw: the sandbox is its own fake Concur.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ErrorBody } from '../../../src/contract/api.ts';
import { SANDBOX_IDS } from '../../../server/sandbox/concur-state.ts';
import { loadConfig } from '../../../server/config.ts';
import { createLogger } from '../../../server/logger.ts';
import { startServer } from '../../../server/serve.ts';

describe('the sandbox', () => {
  const startSandbox = () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'leu-data-'));
    return startServer((bound) => loadConfig({ PORT: '0', PUBLIC_URL: bound, DATA_DIR: dataDir }), {
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('silent'),
    });
  };
  const get = (url: string, host: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpRequest(url, { headers: { host, accept: 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => void (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });

  test('refuses a Host header that is not its own (DNS rebinding)', async () => {
    const server = await startSandbox();
    try {
      const port = new URL(server.url).port;
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`])
        assert.equal((await get(`${server.url}/healthz`, host)).status, 200, host);
      for (const host of [`evil.example.com:${port}`, 'evil.example.com', `127.0.0.1:${Number(port) + 1}`]) {
        const res = await get(
          `${server.url}/sandbox/launch?source=ENTRY&expense=${SANDBOX_IDS.taxi}&field=custom12`,
          host,
        );
        assert.equal(res.status, 421, host);
        assert.equal((JSON.parse(res.body) as ErrorBody).error.code, 'host_not_served');
      }
    } finally {
      await server.close();
    }
  });
});
