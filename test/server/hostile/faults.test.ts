// Concur's bad days: the fake Concur fails a share of the writes' calls on expense items (500, 503, 429 with
// Retry-After short and long, stalls past the timeout with and without the write applied, dropped connections with and
// without it, and a write Concur applies only after the connector has given up on it). Over FAULT_COMMITS commits
// (1,000) every one ends written exactly as chosen and answered 200, or answered as failed with a correlation id while
// Concur holds the previous or the chosen value: none lost, none written wrong, none reported saved that was not; the
// audit log has every attempt with its true outcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpResponse, delay, getResponse, http } from 'msw';
import {
  CATALOG_ITEMS,
  CONCUR,
  EXPENSE_ID,
  bearer,
  launchSession,
  makeApp,
  useFakeConcur,
  postCommit,
} from '../helpers.ts';
import { concurHandlers } from '../../../server/sandbox/concur-handlers.ts';

const COMMITS = Number(process.env.FAULT_COMMITS ?? 1_000);
const SHARE = Number(process.env.FAULT_SHARE ?? 0.3);
const TIMEOUT_MS = 100;
const { msw, concur } = useFakeConcur();

/** A small seeded generator, so a failing run can be repeated (FAULT_SEED). */
function random(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

const FAULTS = [
  '500',
  '503',
  '429-short',
  '429-long',
  'stall',
  'applied-then-stall',
  'drop',
  'applied-then-drop',
  'applied-late',
] as const;
type Fault = (typeof FAULTS)[number];

test(
  `${COMMITS} commits while ${Math.round(SHARE * 100)}% of Concur calls fail: ` +
    'each is written as chosen or reported failed',
  async () => {
    const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
    const rnd = random(seed);
    const injected = new Map<Fault, number>();
    const { app, deps } = await makeApp({ client: { timeoutMs: TIMEOUT_MS, backoffMs: 1, maxRetryAfterMs: 50 } });
    const token = await launchSession(app, concur());
    // The popup reads the item first (as it does on opening); the faults are for the writes that follow.
    assert.equal((await app.request('/api/context', { headers: bearer(token) })).status, 200);
    const real = concurHandlers(concur());
    /** Writes Concur applies after the connector timed out; each lands before the user's next commit. */
    const late: Promise<unknown>[] = [];
    msw.use(
      http.all(`${CONCUR}/expensereports/*`, async ({ request }) => {
        if (rnd() >= SHARE) return undefined; // the fake Concur answers
        const fault = FAULTS[Math.floor(rnd() * FAULTS.length)]!;
        injected.set(fault, (injected.get(fault) ?? 0) + 1);
        switch (fault) {
          case '500':
            return new HttpResponse(null, { status: 500 });
          case '503':
            return new HttpResponse(null, { status: 503 });
          case '429-short':
            return new HttpResponse(null, { status: 429, headers: { 'retry-after': '0' } });
          case '429-long':
            return new HttpResponse(null, { status: 429, headers: { 'retry-after': '120' } });
          case 'stall':
            await delay(TIMEOUT_MS + 50);
            return new HttpResponse(null, { status: 504 });
          case 'drop':
            return HttpResponse.error();
          case 'applied-late': {
            // Concur is slow: the connector times out, and the write lands afterwards.
            const copy = request.clone();
            late.push(delay(TIMEOUT_MS * 2).then(() => getResponse(real, copy)));
            await delay(TIMEOUT_MS + 50);
            return new HttpResponse(null, { status: 504 });
          }
          case 'applied-then-stall':
          case 'applied-then-drop': {
            // Concur does the work, and the answer never arrives.
            await getResponse(real, request.clone());
            if (fault === 'applied-then-drop') return HttpResponse.error();
            await delay(TIMEOUT_MS + 50);
            return new HttpResponse(null, { status: 504 });
          }
        }
      }),
    );
    const codes = CATALOG_ITEMS.map((i) => i.code);
    const outcome = { written: 0, failed: 0 };
    const told: { old: string | null; new: string; result: 'written' | 'failed'; correlationId?: string }[] = [];
    for (let i = 0; i < COMMITS; i++) {
      const before = concur().fieldValue(EXPENSE_ID, 'custom12') ?? null;
      const choice = codes.filter((c) => c !== before)[Math.floor(rnd() * (codes.length - 1))]!;
      const res = await postCommit(app, token, { code: choice });
      // What Concur holds when the user is told, and once a late write has landed (before the user's next commit).
      const atAnswer = concur().fieldValue(EXPENSE_ID, 'custom12') ?? null;
      await Promise.all(late.splice(0));
      const after = concur().fieldValue(EXPENSE_ID, 'custom12') ?? null;
      const context =
        `commit ${i} (seed ${seed}): ${before} -> ${choice}, answered ${res.status}, ` +
        `Concur holds ${atAnswer} then ${after}`;
      if (res.status === 200) {
        const answer = (await res.json()) as { value: string; correlationId: string };
        assert.equal(answer.value, choice, context);
        // Saved means Concur had confirmed it: not a write still under way.
        assert.equal(atAnswer, choice, `reported saved before Concur held it: ${context}`);
        assert.equal(after, choice, `reported saved but not written: ${context}`);
        outcome.written++;
        told.push({ old: before, new: choice, result: 'written', correlationId: answer.correlationId });
      } else {
        const { error } = (await res.json()) as { error: { code: string; message: string; correlationId?: string } };
        assert.ok([502, 503].includes(res.status), context);
        assert.ok(error.correlationId, `a failure without a correlation id: ${context}`);
        assert.ok(
          [before, choice].includes(atAnswer) && [before, choice].includes(after),
          `written with a wrong value: ${context}`,
        );
        outcome.failed++;
        told.push({ old: before, new: choice, result: 'failed', correlationId: error.correlationId });
      }
    }
    // The audit log holds every attempt, each with the outcome the user was told.
    // Each row: the value chosen, the outcome and correlation id the user was told; "old" is what the item held,
    // as far as the connector knew (after a failure that Concur applied anyway, it cannot know).
    const audit = await deps.store.writesSince(0);
    assert.equal(audit.length, COMMITS, `seed ${seed}`);
    audit.forEach((row, i) => {
      const expected = told[i]!;
      assert.deepEqual(
        [row.fields[0]!.new, row.result, row.correlationId],
        [expected.new, expected.result, expected.correlationId],
        `audit row ${i} (seed ${seed})`,
      );
      if (i === 0 || told[i - 1]!.result === 'written')
        assert.equal(row.fields[0]!.old, expected.old, `audit row ${i} old value (seed ${seed})`);
    });
    // Each fault happened, and both outcomes are common enough to mean something.
    for (const fault of FAULTS) assert.ok((injected.get(fault) ?? 0) > 0, `${fault} was never injected (seed ${seed})`);
    assert.ok(
      outcome.failed > COMMITS / 50 && outcome.written > COMMITS / 2,
      `${JSON.stringify(outcome)} (seed ${seed})`,
    );
  },
);
