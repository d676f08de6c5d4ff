// What a popup session knows of its item (facts read once from Concur), and the search context built from it.
import { saveSession } from '../launch/launch.ts';
import { FieldNotConfigured, FieldNotWritable, ValueTooLong } from '../errors.ts';
import type { FieldRule } from '../concur/write-rules.ts';
import type { ItemView } from '../concur/expense.ts';
import type { Session } from '../sessions/session.ts';
import type { SearchContext } from '../sources/source.ts';
import type { StepLookup } from '../fields/flows.ts';
import type { FieldWrite } from '../../src/contract/api.ts';
import { answerValue } from '../../src/flows/wizard.ts';
import { READ_DEADLINE_MS, type PopupDeps } from './deps.ts';

/**
 * What a session remembers of its item: the transaction date and expense type (for context filters and source
 * URLs) and the fields' values (the old values the audit log records for a write).
 */
export function factsOf(deps: PopupDeps, s: Session, view: ItemView): NonNullable<Session['facts']> {
  const rules = Object.fromEntries(
    writtenFields(deps, s)
      .map((f) => [f, view.fields[f]] as const)
      .filter((e): e is [string, FieldRule] => e[1] !== undefined),
  );
  return {
    ...(view.summary.kind === 'ENTRY'
      ? { date: view.summary.date ?? undefined, expenseType: view.summary.expenseType || undefined }
      : {}),
    values: view.values,
    ...(Object.keys(rules).length ? { rules } : {}),
  };
}

/** The fields a session writes (lower case): the launched one, or every field its wizard writes. */
export function writtenFields(deps: PopupDeps, s: Session): string[] {
  const flow = deps.sources.flowFor(s.fieldId);
  const fields = flow
    ? flow.steps.flatMap((step) => ('writeTo' in step && step.writeTo ? [step.writeTo] : []))
    : [s.fieldId];
  return [...new Set(fields.map((f) => f.toLowerCase()))];
}

const ACCESS_WORDS = { RO: 'read-only', HD: 'hidden' } as const;

/** A field the form makes read-only or hidden for this user: nothing is written to it from here. */
export function notWritable(fields: readonly string[], rules: Record<string, FieldRule> | undefined) {
  for (const f of fields) {
    const access = rules?.[f.toLowerCase()]?.access;
    if (access === 'RO' || access === 'HD')
      return {
        field: f,
        message:
          `The field ${f} is ${ACCESS_WORDS[access]} for you on this item in Concur, so it cannot be changed here. ` +
          'If it should be, ask your Concur administrator to check the form.',
      };
  }
  return undefined;
}

/** Refuses, before Concur is asked, a write the form says cannot succeed: a field not writable, a value too long. */
export function checkWrites(s: Session, writes: readonly FieldWrite[]): void {
  const locked = notWritable(
    writes.map((w) => w.field),
    s.facts?.rules,
  );
  if (locked) throw new FieldNotWritable(locked.message);
  for (const w of writes) {
    const max = s.facts?.rules?.[w.field.toLowerCase()]?.maxLength;
    if (max !== undefined && w.value.length > max)
      throw new ValueTooLong(
        `${w.value} is ${w.value.length} characters long; the field ${w.field} takes at most ${max} in Concur.`,
      );
  }
}

/**
 * The item's facts are read once, before the first search or commit needs them. A search needs only an entry's date
 * and type: it takes them from the launch's read under way as soon as that read has them (the read keeps the whole
 * facts in the session when it ends).
 */
export async function withFacts(
  deps: PopupDeps,
  key: string,
  s: Session,
  need: 'search' | 'all' = 'all',
): Promise<Session> {
  if (s.facts) return s;
  const early = need === 'search' ? deps.itemReads?.facts(key) : undefined;
  if (early) return { ...s, facts: await early };
  const view = await (deps.itemReads?.view(key) ?? deps.items.read(key, s, AbortSignal.timeout(READ_DEADLINE_MS)));
  s.facts = factsOf(deps, s, view);
  await saveSession(deps.store, key, s, deps.now());
  return s;
}

/**
 * Starts reading a launched session's item while the popup's page loads (a search takes the facts, the context the
 * view); the facts are kept in the session when the read ends. A failure is said by whatever needed the read.
 */
export function readItemEarly(deps: PopupDeps, key: string, s: Session): void {
  deps.itemReads
    ?.start(
      key,
      (onFacts) => deps.items.read(key, s, AbortSignal.timeout(READ_DEADLINE_MS), onFacts),
      (view) => {
        const { date, expenseType } = factsOf(deps, s, view);
        return { date, expenseType };
      },
    )
    .then(async (view) => {
      s.facts = factsOf(deps, s, view);
      await saveSession(deps.store, key, s, deps.now());
    })
    .catch(() => undefined);
}

/** The launch context a search runs in, from the session. */
export function searchContext(deps: PopupDeps, key: string, s: Session): SearchContext {
  return {
    fieldId: s.fieldId,
    companyDomain: s.companyDomain,
    loggedInUserId: s.loggedInUserId,
    reportOwnerUserId: s.reportOwnerUserId,
    employeeId: s.reportOwnerEmployeeId,
    date: s.facts?.date,
    expenseType: s.facts?.expenseType,
    languageCode: s.languageCode,
    withConcurToken: (call) => deps.items.withConcurToken(key, s, call),
  };
}

/**
 * The source of the session's field. A session exists only for a field the configuration names; one whose field
 * was removed from the configuration since is refused rather than searched or written anywhere else.
 */
export function fieldSource(deps: PopupDeps, s: Session) {
  const source = deps.sources.forField(s.fieldId);
  if (!source) throw FieldNotConfigured.removed(s.fieldId);
  return source;
}

/** A search step's item for a code, narrowed by the pick of its `within` step. */
export function stepLookup(deps: PopupDeps, key: string, s: Session, signal: AbortSignal): StepLookup {
  return async (step, code, answers) => {
    const within = step.within ? answerValue(answers[step.within]) : undefined;
    const ctx = { ...searchContext(deps, key, s), ...(within ? { within } : {}) };
    return deps.sources.forStep(s.fieldId, step.id)?.lookup(code, ctx, signal);
  };
}

/** How many recent picks per user and field are offered. */
export const RECENT_PICKS = 5;
/** Recent picks are kept per user and field, and per step in a wizard. */
export const recentKey = (s: Session, step?: string) =>
  `${s.companyDomain.toLowerCase()}|${s.loggedInUserId.toLowerCase()}|${s.fieldId.toLowerCase()}` +
  (step ? `|${step}` : '');
