// The popup's files under /app/: compressed for browsers that accept it (the build leaves .br and .gz beside each),
// with the caching each kind of file needs. Needs `npm run build` (npm test builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { DIST_DIR } from '../../../server/compose.ts';
import { makeApp } from '../helpers.ts';

const html = readFileSync(join(DIST_DIR, 'index.html'));
const script = /src="\/app\/(assets\/[^"]+\.js)"/.exec(html.toString())![1]!;

test('the popup page and its first script come Brotli- or gzip-compressed when accepted, and plain otherwise', async () => {
  const { app } = await makeApp();
  const page = await app.request('/app/', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
  assert.equal(page.status, 200);
  assert.equal(page.headers.get('content-encoding'), 'br');
  assert.match(page.headers.get('vary') ?? '', /accept-encoding/i);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.deepEqual(brotliDecompressSync(Buffer.from(await page.arrayBuffer())), html);

  const gzipped = await app.request(`/app/${script}`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gzipped.headers.get('content-encoding'), 'gzip');
  assert.match(gzipped.headers.get('content-type') ?? '', /javascript/);
  assert.equal(gzipped.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const original = readFileSync(join(DIST_DIR, script));
  const body = Buffer.from(await gzipped.arrayBuffer());
  assert.ok(body.length < original.length / 2, `${body.length} bytes sent for ${original.length}`);
  assert.deepEqual(gunzipSync(body), original);

  const plain = await app.request(`/app/${script}`);
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.deepEqual(Buffer.from(await plain.arrayBuffer()), original);
});
