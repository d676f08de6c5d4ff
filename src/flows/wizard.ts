// Wizard logic shared by the popup and the server: which steps show, whether an answer holds, and what is
// written to which field. No DOM: the popup renders it, the server re-checks it before writing.
import {
  CONCUR_VALUE_MAX,
  type AnswerStep,
  type FieldWrite,
  type Flow,
  type FlowStep,
  type SearchItem,
} from '../contract/api.ts';

/** A search step's answer is the picked item; every other step's is the text of the answer. */
export type Answer = string | SearchItem;
export type Answers = Readonly<Record<string, Answer | undefined>>;

import type { Problem } from '../contract/problem.ts';

export const isAnswerStep = (s: FlowStep): s is AnswerStep => s.kind !== 'review';

/** The value an answer stands for in conditions and in the commit: a search pick's code, else the text. */
export const answerValue = (a: Answer | undefined): string | undefined =>
  a === undefined ? undefined : typeof a === 'string' ? a : a.code;

const given = (a: Answer | undefined) => {
  const v = answerValue(a);
  return v !== undefined && v !== '';
};

function holds(step: FlowStep, answers: Answers): boolean {
  const w = step.when;
  if (!w) return true;
  const v = answerValue(answers[w.step]) ?? '';
  if (w.answered !== undefined) return w.answered === given(answers[w.step]);
  if (w.equals) return given(answers[w.step]) && w.equals.includes(v);
  if (w.notEquals) return !w.notEquals.includes(v);
  return true;
}

/**
 * The steps the user sees, in order. A step hidden by its condition does not count as answered for the steps
 * after it, so a changed earlier answer hides the whole branch that depended on it.
 */
export function visibleSteps(flow: Flow, answers: Answers): FlowStep[] {
  const shown: FlowStep[] = [];
  const effective: Record<string, Answer | undefined> = {};
  for (const step of flow.steps) {
    if (!holds(step, effective)) continue;
    shown.push(step);
    if (isAnswerStep(step)) effective[step.id] = answers[step.id];
  }
  return shown;
}

const DECIMAL = /^([-+]?)(\d+)(?:[.,](\d+))?$/;

/**
 * The answer as it is kept and written: text trimmed; a number in plain notation (12.5, not 12,50 or +012.5),
 * rewritten digit by digit so that nothing is rounded. Anything else (1,000.5, 0x10, 1e3) stays as typed, and
 * the check refuses it: a thousands separator is never guessed.
 */
export function normalize(step: AnswerStep, raw: string): string {
  const text = raw.trim();
  const m = step.kind === 'number' ? DECIMAL.exec(text) : null;
  if (!m) return text;
  const whole = m[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const sign = m[1] === '-' && /[1-9]/.test(whole + fraction) ? '-' : '';
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function isCalendarDate(v: string): boolean {
  const m = DATE.exec(v);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === v;
}

/** The value the step's template makes of an answer, before the 48-character check. */
export function renderTemplate(step: AnswerStep, answer: Answer): string {
  const vars: Record<string, string> =
    typeof answer === 'string'
      ? {
          value: answer,
          label: step.kind === 'choice' ? (step.options.find((o) => o.value === answer)?.label ?? answer) : answer,
        }
      : {
          code: answer.code,
          label: answer.label,
          detail: answer.detail ?? '',
          display: answer.display ?? answer.code,
          value: answer.code,
        };
  return step.template
    .replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Checks one answer, already normalized; undefined when it can be accepted. */
export function checkAnswer(step: AnswerStep, answer: Answer | undefined): Problem | undefined {
  if (!given(answer)) return step.required ? { kind: 'required' } : undefined;
  const v = answerValue(answer)!;
  switch (step.kind) {
    case 'search':
      if (typeof answer !== 'string' && answer?.inactive) return { kind: 'inactive', reason: answer.inactive };
      break;
    case 'choice':
      if (!step.options.some((o) => o.value === v)) return { kind: 'notOption' };
      break;
    case 'text':
      if (step.minLength !== undefined && [...v].length < step.minLength)
        return { kind: 'tooShort', min: step.minLength };
      if ([...v].length > step.maxLength) return { kind: 'tooLong', max: step.maxLength };
      if (step.pattern !== undefined && !new RegExp(`^(?:${step.pattern})$`, 'u').test(v))
        return { kind: 'pattern', ...(step.patternHint ? { hint: step.patternHint } : {}) };
      break;
    case 'number': {
      const n = Number(v);
      if (!/^-?\d+(\.\d+)?$/.test(v) || !Number.isFinite(n) || v.replace(/\D/g, '').length > 15)
        return { kind: 'notNumber' };
      if ((v.split('.')[1]?.length ?? 0) > step.decimals) return { kind: 'decimals', decimals: step.decimals };
      if (step.min !== undefined && n < step.min) return { kind: 'belowMin', min: step.min };
      if (step.max !== undefined && n > step.max) return { kind: 'aboveMax', max: step.max };
      break;
    }
    case 'date':
      if (!isCalendarDate(v)) return { kind: 'notDate' };
      if (step.min !== undefined && v < step.min) return { kind: 'dateBefore', min: step.min };
      if (step.max !== undefined && v > step.max) return { kind: 'dateAfter', max: step.max };
      break;
  }
  if (step.writeTo) {
    const written = renderTemplate(step, answer!);
    if ([...written].length > CONCUR_VALUE_MAX)
      return { kind: 'writtenTooLong', value: written, max: CONCUR_VALUE_MAX };
  }
  return undefined;
}

export interface PlannedWrite extends FieldWrite {
  /** The step whose answer this is. */
  step: string;
}

/** What Done writes: one value per field, from the visible, answered steps that name a field. */
export function plannedWrites(flow: Flow, answers: Answers): PlannedWrite[] {
  return visibleSteps(flow, answers)
    .filter(isAnswerStep)
    .filter((s) => s.writeTo && given(answers[s.id]))
    .map((s) => ({ step: s.id, field: s.writeTo!, value: renderTemplate(s, answers[s.id]!) }));
}

/** The first visible step whose answer cannot be accepted, with the problem; undefined when all can. */
export function firstProblem(flow: Flow, answers: Answers): { step: AnswerStep; problem: Problem } | undefined {
  for (const step of visibleSteps(flow, answers)) {
    if (!isAnswerStep(step)) continue;
    const problem = checkAnswer(step, answers[step.id]);
    if (problem) return { step, problem };
  }
  return undefined;
}
