// The audit log: every write-back attempt, written or failed, with user, item, fields, old and new values and
// Concur's correlation id; and npm run audit reading it back from the SQLite store.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { http } from 'msw';
import { CONCUR, ENV, bearer, launchSession, makeApp, useFakeConcur, postCommit } from '../helpers.ts';
import { loadConfig } from '../../../server/config.ts';
import { createSqliteStore } from '../../../server/store/sqlite.ts';
import { parseSince, runAudit } from '../../../server/audit.ts';

const { msw, concur } = useFakeConcur();

describe('the audit log', () => {
  test('records each attempt: the old value read by the popup, the new one, the result and the correlation id', async () => {
    const { app, deps } = await makeApp();
    const commit = async (code: string) => {
      const token = await launchSession(app, concur());
      await app.request('/api/context', { headers: bearer(token) });
      return postCommit(app, token, { code });
    };
    assert.equal((await commit('PRJ-1042')).status, 200);
    assert.equal((await commit('PRJ-1011')).status, 200);
    msw.use(
      http.patch(
        `${CONCUR}/expensereports/*`,
        () => new Response(null, { status: 503, headers: { 'concur-correlationid': 'cid-down' } }),
      ),
    );
    assert.equal((await commit('PRJ-1024')).status, 502);
    const records = await deps.store.writesSince(0);
    assert.deepEqual(
      records.map((r) => [r.result, r.fields, r.error ?? null]),
      [
        ['written', [{ field: 'custom12', old: null, new: 'PRJ-1042' }], null],
        ['written', [{ field: 'custom12', old: 'PRJ-1042', new: 'PRJ-1011' }], null],
        ['failed', [{ field: 'custom12', old: 'PRJ-1011', new: 'PRJ-1024' }], 'concur_unavailable'],
      ],
    );
    assert.equal(records[2]!.correlationId, 'cid-down');
    assert.ok(records[0]!.correlationId);
    assert.match(records[0]!.item, /^ENTRY 764428DD6A664AF0BFCB 84FCBB92BD4E5342B849DAC29FD163A1$/);
    assert.equal(records[0]!.userId, '6f0e2a4b-1c3d-4e5f-8a9b-0c1d2e3f4a5b');
  });

  test('npm run audit -- --since reads the SQLite store, oldest first', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'audit-')), 'state.sqlite');
    const key = randomBytes(32);
    const config = loadConfig({ ...ENV, STORE_URL: `sqlite:${file}`, TOKEN_ENCRYPTION_KEY: key.toString('hex') });
    const store = createSqliteStore({ file, key });
    const day = 86_400_000;
    const t = Date.parse('2026-11-20T10:00:00Z');
    await store.recordWrite(
      {
        at: t - 10 * day,
        companyDomain: 'acme.com',
        userId: 'u1',
        item: 'ENTRY R1 E1',
        fields: [{ field: 'custom12', old: null, new: 'OLD' }],
        result: 'written',
        correlationId: 'c0',
      },
      365 * day,
    );
    await store.recordWrite(
      {
        at: t,
        companyDomain: 'acme.com',
        userId: 'u1',
        item: 'ENTRY R1 E1',
        fields: [{ field: 'custom12', old: 'OLD', new: 'PRJ-1' }],
        result: 'written',
        correlationId: 'c1',
      },
      365 * day,
    );
    await store.recordWrite(
      {
        at: t + 1000,
        companyDomain: 'acme.com',
        userId: 'u2',
        item: 'HEADER R2',
        fields: [{ field: 'custom5', old: null, new: 'CC-1' }],
        result: 'failed',
        correlationId: 'c2',
        error: 'concur_request_refused',
      },
      365 * day,
    );
    await store.close();
    const report = await runAudit(config, ['--since', '2026-11-15'], t + 5000);
    assert.equal(report.ok, true);
    assert.deepEqual(report.lines, [
      '2026-11-20T10:00:00.000Z  written  acme.com u1  ENTRY R1 E1  custom12: OLD -> PRJ-1  [c1]',
      '2026-11-20T10:00:01.000Z  failed   acme.com u2  HEADER R2  ' +
        'custom5: (empty) -> CC-1  [c2]  (concur_request_refused)',
    ]);
    assert.equal((await runAudit(config, ['--since', '2d', '--json'], t + 5000)).lines.length, 2);
    assert.equal((await runAudit(config, ['--since', 'last tuesday'], t)).ok, false);
    assert.equal(
      (await runAudit(loadConfig(ENV), ['--since', '1d'], t)).ok,
      false,
      'the memory store keeps nothing to read',
    );
  });

  test('--since: a date, a moment or a span back from now', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    assert.equal(parseSince('2026-11-01', now), Date.parse('2026-11-01T00:00:00Z'));
    assert.equal(parseSince('24h', now), now - 86_400_000);
    assert.equal(parseSince('30m', now), now - 1_800_000);
    assert.equal(parseSince(undefined, now), now - 86_400_000);
    assert.equal(parseSince('soon', now), undefined);
  });
});
