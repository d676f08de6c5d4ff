// Wizards from configuration: the `flows` section of the fields file, checked with zod (every mistake named by
// its path), turned into the popup's Flow in the user's language, and the server's check of a wizard's answers
// before anything is written.
import { z } from 'zod';
import {
  CONCUR_VALUE_MAX,
  type AnswerStep,
  type Flow,
  type FlowStep,
  type SearchItem,
} from '../../src/contract/api.ts';
import {
  checkAnswer,
  normalize,
  plannedWrites,
  visibleSteps,
  type Answer,
  type PlannedWrite,
} from '../../src/flows/wizard.ts';
import type { Problem } from '../../src/contract/problem.ts';
import { FlowAnswerInvalid } from '../errors.ts';
import { isSafePattern } from 'redos-detector';
import { FIELD_ID } from '../../src/contract/field-id.ts';

const LANG = /^[a-z]{2,3}([-_][A-Za-z]{2,4})?$/;

/** A text shown to users: one string, or one per language ({"en": "Project", "de": "Projekt"}). */
const LocalText = z.union([
  z.string().min(1),
  z
    .record(z.string().regex(LANG, 'language keys look like en, de or pt-BR'), z.string().min(1))
    .refine((r) => Object.keys(r).length > 0, 'give at least one language'),
]);
type LocalText = z.infer<typeof LocalText>;

export const FieldId = z.string().regex(FIELD_ID, 'is not a custom field id such as custom12');
const StepId = z
  .string()
  .regex(/^[A-Za-z][\w-]{0,63}$/, 'step ids are a letter, then letters, digits, - and _')
  // Answers are kept in plain objects, where these names already mean something.
  .refine((id) => !(id in Object.prototype), {
    error: (issue) => `"${String(issue.input)}" is reserved; choose another step id`,
  });
const oneOrMany = z.union([z.string(), z.array(z.string()).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));
const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are written YYYY-MM-DD');

const Condition = z
  .object({
    step: StepId,
    equals: oneOrMany.optional(),
    notEquals: oneOrMany.optional(),
    answered: z.boolean().optional(),
  })
  .strict()
  .refine(
    (w) => [w.equals, w.notEquals, w.answered].filter((v) => v !== undefined).length === 1,
    'give exactly one of equals, notEquals, answered',
  );

const base = { id: StepId, label: LocalText, help: LocalText.optional(), when: Condition.optional() };
const answer = {
  ...base,
  required: z.boolean().default(true),
  writeTo: FieldId.optional(),
  template: z.string().min(1).max(200).optional(),
};

/** What a pattern that could backtrack badly is told. */
const BACKTRACKS =
  'could take too long to check against some answers (catastrophic backtracking): ' +
  'write it without nested or overlapping repetition, e.g. [A-Z]+-\\d{4}';

/**
 * A pattern must compile, and must be safe from catastrophic backtracking (ReDoS): it runs on every answer, in
 * the server and the popup, so one like (a|a)+ could stall both on a 48-character answer. redos-detector proves
 * the pattern, anchored as it is used, cannot backtrack badly.
 */
const validRegex = z
  .string()
  .min(1)
  .refine((p) => {
    try {
      new RegExp(p, 'u');
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid regular expression')
  .refine((p) => {
    try {
      return isSafePattern(`^(?:${p})$`, { unicode: true }).safe;
    } catch {
      return false;
    }
  }, BACKTRACKS);

const StepConfig = z.discriminatedUnion('kind', [
  z
    .object({
      ...answer,
      kind: z.literal('search'),
      /** A source named under `sources`. */
      source: z.string().min(1),
      /** Only rows whose `column` equals the code picked in the earlier search step `step` (catalog sources). */
      within: z
        .object({ step: StepId, column: z.string().min(1) })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      ...answer,
      kind: z.literal('choice'),
      options: z
        .array(z.object({ value: z.string().min(1).max(CONCUR_VALUE_MAX), label: LocalText }).strict())
        .min(2, 'a choice needs at least two options'),
    })
    .strict(),
  z
    .object({
      ...answer,
      kind: z.literal('text'),
      minLength: z.number().int().min(1).optional(),
      maxLength: z
        .number()
        .int()
        .min(1)
        .max(CONCUR_VALUE_MAX, `Concur stores at most ${CONCUR_VALUE_MAX} characters`)
        .default(CONCUR_VALUE_MAX),
      pattern: validRegex.optional(),
      patternHint: LocalText.optional(),
    })
    .strict(),
  z
    .object({
      ...answer,
      kind: z.literal('number'),
      min: z.number().optional(),
      max: z.number().optional(),
      decimals: z.number().int().min(0).max(6).default(0),
    })
    .strict(),
  z.object({ ...answer, kind: z.literal('date'), min: DateText.optional(), max: DateText.optional() }).strict(),
  z
    .object({
      ...base,
      kind: z.literal('review'),
      label: LocalText.default({
        en: 'Review',
        de: 'Überprüfen',
        fr: 'Vérifier',
        es: 'Revisar',
        it: 'Verifica',
        ja: '確認',
        'pt-BR': 'Revisar',
      }),
    })
    .strict(),
]);
type StepConfig = z.infer<typeof StepConfig>;

const PLACEHOLDERS: Record<StepConfig['kind'], string[]> = {
  search: ['code', 'label', 'detail', 'display'],
  choice: ['value', 'label'],
  text: ['value'],
  number: ['value'],
  date: ['value'],
  review: [],
};

export const FlowConfig = z
  .object({ title: LocalText, steps: z.array(StepConfig).min(1).max(20) })
  .strict()
  .superRefine((flow, ctx) => {
    const seen = new Map<string, StepConfig>();
    const writers = new Map<string, number>();
    flow.steps.forEach((step, i) => {
      const at = (...path: (string | number)[]) => ['steps', i, ...path];
      if (seen.has(step.id))
        ctx.addIssue({
          code: 'custom',
          path: at('id'),
          message: `"${step.id}" is used by an earlier step; step ids must be unique`,
        });
      if (step.when) {
        const target = seen.get(step.when.step);
        if (!target || target.kind === 'review')
          ctx.addIssue({
            code: 'custom',
            path: at('when', 'step'),
            message: `names "${step.when.step}", which is not an earlier step with an answer`,
          });
      }
      if (step.kind === 'review') {
        if (i !== flow.steps.length - 1)
          ctx.addIssue({ code: 'custom', path: at('kind'), message: 'a review step must be the last step' });
      } else {
        const used = [...(step.template ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
        const bad = used.find((p) => !PLACEHOLDERS[step.kind].includes(p));
        if (bad) {
          const known = PLACEHOLDERS[step.kind].map((p) => `{${p}}`).join(', ');
          ctx.addIssue({
            code: 'custom',
            path: at('template'),
            message: `{${bad}} is not known here; a ${step.kind} step may use ${known}`,
          });
        }
        if (step.template !== undefined && used.length === 0)
          ctx.addIssue({
            code: 'custom',
            path: at('template'),
            message: 'writes the same text whatever the answer; use a placeholder',
          });
        if (step.writeTo) {
          const key = step.writeTo.toLowerCase();
          if (writers.has(key))
            ctx.addIssue({
              code: 'custom',
              path: at('writeTo'),
              message:
                `${step.writeTo} is already written by steps.${writers.get(key)}; ` +
                'each field is written by one step',
            });
          else writers.set(key, i);
        }
        const range =
          step.kind === 'text'
            ? [step.minLength, step.maxLength]
            : step.kind === 'number' || step.kind === 'date'
              ? [step.min, step.max]
              : [];
        if (range[0] !== undefined && range[1] !== undefined && range[0] > range[1])
          ctx.addIssue({
            code: 'custom',
            path: at(step.kind === 'text' ? 'minLength' : 'min'),
            message: 'is greater than the maximum',
          });
        if (step.kind === 'search' && step.within) {
          const target = seen.get(step.within.step);
          if (target?.kind !== 'search')
            ctx.addIssue({
              code: 'custom',
              path: at('within', 'step'),
              message: `names "${step.within.step}", which is not an earlier search step`,
            });
        }
      }
      seen.set(step.id, step);
    });
    if (writers.size === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['steps'],
        message: 'no step writes to a field: give at least one step a writeTo',
      });
  });
export type FlowConfig = z.infer<typeof FlowConfig>;

/** The text in the user's language: the exact language, then its base language, then English, then any. */
export function localText(text: LocalText, languageCode: string): string {
  if (typeof text === 'string') return text;
  const entries = Object.entries(text).map(([k, v]) => [k.replace('_', '-').toLowerCase(), v] as const);
  const wanted = languageCode.replace('_', '-').toLowerCase();
  const baseLang = wanted.split('-')[0]!;
  return (
    entries.find(([k]) => k === wanted)?.[1] ??
    entries.find(([k]) => k === baseLang)?.[1] ??
    entries.find(([k]) => k.split('-')[0] === baseLang)?.[1] ??
    entries.find(([k]) => k === 'en' || k.startsWith('en-'))?.[1] ??
    entries[0]![1]
  );
}

/** The flow as the popup gets it: texts in the user's language, defaults filled in, no source names. */
export function resolveFlow(config: FlowConfig, languageCode: string): Flow {
  const t = (x: LocalText) => localText(x, languageCode);
  const steps = config.steps.map((s): FlowStep => {
    const common = {
      id: s.id,
      label: t(s.label),
      ...(s.help ? { help: t(s.help) } : {}),
      ...(s.when ? { when: s.when } : {}),
    };
    if (s.kind === 'review') return { ...common, kind: 'review' };
    const answerCommon = {
      ...common,
      required: s.required,
      ...(s.writeTo ? { writeTo: s.writeTo } : {}),
      template: s.template ?? (s.kind === 'search' ? '{code}' : '{value}'),
    };
    switch (s.kind) {
      case 'search':
        return { ...answerCommon, kind: 'search', ...(s.within ? { within: s.within.step } : {}) };
      case 'choice':
        return {
          ...answerCommon,
          kind: 'choice',
          options: s.options.map((o) => ({ value: o.value, label: t(o.label) })),
        };
      case 'text':
        return {
          ...answerCommon,
          kind: 'text',
          maxLength: s.maxLength,
          ...(s.minLength !== undefined ? { minLength: s.minLength } : {}),
          ...(s.pattern !== undefined ? { pattern: s.pattern } : {}),
          ...(s.patternHint ? { patternHint: t(s.patternHint) } : {}),
        };
      case 'number':
        return {
          ...answerCommon,
          kind: 'number',
          decimals: s.decimals,
          ...(s.min !== undefined ? { min: s.min } : {}),
          ...(s.max !== undefined ? { max: s.max } : {}),
        };
      case 'date':
        return { ...answerCommon, kind: 'date', ...(s.min ? { min: s.min } : {}), ...(s.max ? { max: s.max } : {}) };
    }
  });
  return { title: t(config.title), steps };
}

/** How a problem reads in the server's answers (the popup words them itself, in the user's language). */
export function describeProblem(p: Problem): string {
  switch (p.kind) {
    case 'required':
      return 'an answer is required';
    case 'tooShort':
      return `needs at least ${p.min} characters`;
    case 'tooLong':
      return `allows at most ${p.max} characters`;
    case 'pattern':
      return p.hint ?? 'is not in the expected form';
    case 'notNumber':
      return 'is not a number';
    case 'decimals':
      return p.decimals === 0 ? 'must be a whole number' : `allows at most ${p.decimals} decimal places`;
    case 'belowMin':
      return `must be at least ${p.min}`;
    case 'aboveMax':
      return `must be at most ${p.max}`;
    case 'notDate':
      return 'is not a date written YYYY-MM-DD';
    case 'dateBefore':
      return `must be on or after ${p.min}`;
    case 'dateAfter':
      return `must be on or before ${p.max}`;
    case 'notOption':
      return 'is not one of the options';
    case 'notOffered':
      return `${p.value} is not one of the values offered here`;
    case 'inactive':
      return `cannot be chosen here: ${p.reason}`;
    case 'writtenTooLong':
      return `would be written as "${p.value}", longer than the ${p.max} characters Concur stores`;
  }
}

/** Finds the item a search step's answer names, with the earlier answers (for a step narrowed by another). */
export type StepLookup = (
  step: Extract<AnswerStep, { kind: 'search' }>,
  code: string,
  answers: Readonly<Record<string, Answer | undefined>>,
) => Promise<SearchItem | undefined>;

/**
 * Checks a wizard's answers as the server received them, step by step in order, and returns what to write.
 * Throws FlowAnswerInvalid naming the step for the first answer that cannot be accepted; nothing is written then.
 */
export async function wizardWrites(
  flow: Flow,
  raw: Readonly<Record<string, string>>,
  lookup: StepLookup,
): Promise<PlannedWrite[]> {
  const unknown = Object.keys(raw).find((id) => !flow.steps.some((s) => s.id === id && s.kind !== 'review'));
  if (unknown !== undefined)
    throw new FlowAnswerInvalid(`The answers name a step this form does not have: ${unknown}.`, unknown);
  const answers = Object.create(null) as Record<string, Answer | undefined>;
  for (const step of flow.steps) {
    if (step.kind === 'review' || !visibleSteps(flow, answers).includes(step)) continue;
    const given = Object.hasOwn(raw, step.id) && typeof raw[step.id] === 'string' ? normalize(step, raw[step.id]!) : '';
    let answer: Answer | undefined = given === '' ? undefined : given;
    if (step.kind === 'search' && answer !== undefined) {
      const item = await lookup(step, answer, answers);
      if (!item)
        throw new FlowAnswerInvalid(
          `${step.label}: ${describeProblem({ kind: 'notOffered', value: given })}.`,
          step.id,
          { kind: 'notOffered', value: given },
        );
      answer = item;
    }
    const problem = checkAnswer(step, answer);
    if (problem) throw new FlowAnswerInvalid(`${step.label}: ${describeProblem(problem)}.`, step.id, problem);
    answers[step.id] = answer;
  }
  return plannedWrites(flow, answers);
}
