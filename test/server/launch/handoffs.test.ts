// A launch's page is sent before its code exchange ends: the claim of its session waits for it, on this instance or
// (through the store) on another one, and says why when Concur refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { createMemoryStore } from '../../../server/store/memory.ts';
import { LaunchesInFlight, LaunchRefused } from '../../../server/launch/handoffs.ts';
import { newHandoffCode, sessionKey } from '../../../server/launch/launch.ts';
import { LaunchUserMismatch } from '../../../server/errors.ts';
import { HANDOFF_TTL_MS } from '../../../server/launch/limits.ts';

const silent = () => pino({ level: 'silent' });
/** What a completed launch leaves: the token under the hand-off code (parkSession's last step). */
const park = (store: ReturnType<typeof createMemoryStore>, handoff: string, token: string) =>
  store.putHandoff(sessionKey(handoff), { token }, HANDOFF_TTL_MS);

test('a claim waits for the launch under way here, then gets its token once', async () => {
  const store = createMemoryStore();
  const here = new LaunchesInFlight();
  const handoff = newHandoffCode();
  await here.start(
    store,
    handoff,
    async () => {
      await sleep(100);
      await park(store, handoff, 'the-token');
    },
    silent,
  );
  assert.equal(await here.claim(store, handoff), 'the-token');
  assert.equal(await here.claim(store, handoff), undefined, 'a hand-off is traded once');
});

test('a claim on another instance waits for the launch there, through the store', async () => {
  const store = createMemoryStore();
  const [launching, claiming] = [new LaunchesInFlight(), new LaunchesInFlight()];
  const handoff = newHandoffCode();
  await launching.start(
    store,
    handoff,
    async () => {
      await sleep(300);
      await park(store, handoff, 'from-the-other-instance');
    },
    silent,
  );
  assert.equal(await claiming.claim(store, handoff), 'from-the-other-instance');
});

test('a refusal after the page is said by the claim, here or on another instance', async () => {
  const store = createMemoryStore();
  const [launching, claiming] = [new LaunchesInFlight(), new LaunchesInFlight()];
  const refused = () => {
    throw new LaunchUserMismatch('This link from Concur names another user than the one signed in.');
  };
  const here = newHandoffCode();
  await launching.start(store, here, () => Promise.resolve().then(refused), silent);
  await assert.rejects(launching.claim(store, here), { code: 'launch_user_mismatch', status: 401 });
  const there = newHandoffCode();
  await launching.start(store, there, () => Promise.resolve().then(refused), silent);
  await launching.idle();
  await assert.rejects(claiming.claim(store, there), (error: unknown) => {
    assert.ok(error instanceof LaunchRefused);
    assert.deepEqual(
      [error.status, error.code, error.message],
      [401, 'launch_user_mismatch', 'This link from Concur names another user than the one signed in.'],
    );
    return true;
  });
  // An unexpected failure keeps nothing of itself in the store: the claim says only that the launch failed.
  const broken = newHandoffCode();
  await launching.start(store, broken, () => Promise.reject(new Error('a stack and a secret')), silent);
  await launching.idle();
  await assert.rejects(claiming.claim(store, broken), (error: unknown) => {
    assert.ok(error instanceof LaunchRefused);
    assert.equal(error.code, 'internal_error');
    assert.doesNotMatch(error.message, /secret/);
    return true;
  });
});

test('a hand-off no launch made is refused at once, and the claim writes nothing to the store', async () => {
  const store = createMemoryStore();
  const calls: string[] = [];
  const watched = {
    ...store,
    peekHandoff: (code: string) => (calls.push('peekHandoff'), store.peekHandoff(code)),
    takeHandoff: (code: string) => (calls.push('takeHandoff'), store.takeHandoff(code)),
    putHandoff: (...args: Parameters<typeof store.putHandoff>) => (calls.push('putHandoff'), store.putHandoff(...args)),
    claimNonce: (...args: Parameters<typeof store.claimNonce>) => (calls.push('claimNonce'), store.claimNonce(...args)),
  };
  const claims = new LaunchesInFlight();
  for (let i = 0; i < 3; i++) assert.equal(await claims.claim(watched, newHandoffCode()), undefined);
  assert.deepEqual(calls, ['peekHandoff', 'peekHandoff', 'peekHandoff'], 'one look each, no write, no wait');
  // The same forged code again: still nothing to wait for.
  const forged = newHandoffCode();
  assert.equal(await claims.claim(store, forged), undefined);
  assert.equal(await claims.claim(store, forged), undefined);
  assert.equal(await store.claimNonce(`v4:a-nonce`, 60_000), true);
});
