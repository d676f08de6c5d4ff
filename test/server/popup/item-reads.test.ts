// The launch's read of its item, shared by the popup's first context and searches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ItemReads } from '../../../server/popup/item-reads.ts';
import type { ItemView } from '../../../server/concur/expense.ts';

const VIEW = { summary: { kind: 'ENTRY', date: '2026-11-12', expenseType: 'Taxi' } } as unknown as ItemView;
const fromView = () => ({ date: '2026-11-12', expenseType: 'Taxi' });

test('the facts come as soon as the read has them; the view is taken once, by the first context', async () => {
  const reads = new ItemReads();
  let finish!: (view: ItemView) => void;
  void reads.start(
    'k',
    (onFacts) => {
      onFacts({ date: '2026-11-12' });
      return new Promise((resolve) => (finish = resolve));
    },
    fromView,
  );
  assert.deepEqual(await reads.facts('k'), { date: '2026-11-12' }, 'before the view is in');
  finish(VIEW);
  assert.equal(await reads.take('k'), VIEW);
  assert.equal(reads.take('k'), undefined, 'a second context reads Concur anew');
  assert.deepEqual(await reads.facts('k'), { date: '2026-11-12' }, 'the facts stay for the searches');
});

test('a read that does not report its facts early gives them from its view', async () => {
  const reads = new ItemReads();
  void reads.start('k', () => Promise.resolve(VIEW), fromView);
  assert.deepEqual(await reads.facts('k'), { date: '2026-11-12', expenseType: 'Taxi' });
});

test('a failed read fails its facts too, and is forgotten, so the next search reads again', async () => {
  const reads = new ItemReads();
  const failure = new Error('Concur is down');
  const read = reads.start('k', () => Promise.reject(failure), fromView);
  await assert.rejects(read, failure);
  assert.equal(reads.facts('k'), undefined);
  await reads.idle();
});
