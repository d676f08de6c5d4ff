// The wizard logic shared by popup and server, table-driven: numbers normalized without guessing, conditions,
// and what is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAnswer, normalize, plannedWrites, visibleSteps } from '../../../src/flows/wizard.ts';
import type { AnswerStep, Flow } from '../../../src/contract/api.ts';

const NUMBER: AnswerStep = {
  id: 'n',
  kind: 'number',
  label: 'N',
  required: true,
  template: '{value}',
  writeTo: 'custom1',
  decimals: 2,
};

test('numbers: plain notation, a comma read as the decimal point, never a thousands separator or rounding', () => {
  const cases: [string, string, string | undefined][] = [
    ['12', '12', undefined],
    ['12,5', '12.5', undefined],
    [' 012.50 ', '12.5', undefined],
    ['+3', '3', undefined],
    ['-0', '0', undefined],
    ['-4.25', '-4.25', undefined],
    ['4.0', '4', undefined],
    ['1,000.5', '1,000.5', 'notNumber'],
    ['1.000,5', '1.000,5', 'notNumber'],
    ['0x10', '0x10', 'notNumber'],
    ['1e3', '1e3', 'notNumber'],
    ['12345678901234567890', '12345678901234567890', 'notNumber'],
    ['1.234', '1.234', 'decimals'],
    ['', '', 'required'],
  ];
  for (const [typed, kept, problem] of cases) {
    const value = normalize(NUMBER, typed);
    assert.equal(value, kept, typed);
    assert.equal(checkAnswer(NUMBER, value || undefined)?.kind, problem, typed);
  }
});

test('conditions: equals, notEquals, answered; a hidden step hides the steps that depend on it', () => {
  const flow: Flow = {
    title: 'T',
    steps: [
      {
        id: 'a',
        kind: 'choice',
        label: 'A',
        required: true,
        template: '{value}',
        options: [
          { value: 'x', label: 'X' },
          { value: 'y', label: 'Y' },
        ],
      },
      {
        id: 'b',
        kind: 'text',
        label: 'B',
        required: false,
        template: '{value}',
        writeTo: 'f1',
        maxLength: 48,
        when: { step: 'a', equals: ['x'] },
      },
      {
        id: 'c',
        kind: 'text',
        label: 'C',
        required: true,
        template: '{value}',
        writeTo: 'f2',
        maxLength: 48,
        when: { step: 'b', answered: true },
      },
      {
        id: 'd',
        kind: 'text',
        label: 'D',
        required: true,
        template: 'D:{value}',
        writeTo: 'f3',
        maxLength: 48,
        when: { step: 'a', notEquals: ['x'] },
      },
    ],
  };
  const ids = (answers: Record<string, string>) =>
    visibleSteps(flow, answers)
      .map((s) => s.id)
      .join('');
  assert.equal(ids({}), 'ad');
  assert.equal(ids({ a: 'x' }), 'ab');
  assert.equal(ids({ a: 'x', b: 'text' }), 'abc');
  assert.equal(ids({ a: 'y', b: 'text', c: 'kept' }), 'ad', 'b is hidden, so c (which depends on b) is too');
  assert.deepEqual(plannedWrites(flow, { a: 'y', b: 'old', c: 'old', d: 'new' }), [
    { step: 'd', field: 'f3', value: 'D:new' },
  ]);
});
