// The popup's API: claim the session, read the context, search the catalog, commit the choice to Concur.
import { Hono, type Context } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { deleteCookie, getCookie } from 'hono/cookie';
import { zValidator } from '@hono/zod-validator';
import type { AppDeps, AppEnv } from '../env.ts';
import { HANDOFF_COOKIE, handoffCookie } from './launch.ts';
import { SearchQuery, invalid } from './validation.ts';
import { claimSession, saveSession, sessionKey } from '../launch/launch.ts';
import {
  AppError,
  FieldNotConfigured,
  FieldNotWritable,
  SessionMissing,
  ValueNotInCatalog,
  ValueTooLong,
} from '../errors.ts';
import { needsCompanyToken, type FieldRule } from '../concur/write-rules.ts';
import { NOT_CONNECTED_MESSAGE } from '../concur/company-connection.ts';
import { PAID_MESSAGE } from '../concur/expense.ts';
import { searchLimit } from '../rate-limits.ts';
import { SEARCH_DEADLINE_MS, searchPage, searchSource } from '../sources/search.ts';
import {
  CommitRequest,
  type CommitResponse,
  type ErrorBody,
  type FieldWrite,
  type Flow,
  type SessionClaim,
  type SessionContext,
} from '../../src/contract/api.ts';
import { answerValue, checkAnswer, type Answer } from '../../src/flows/wizard.ts';
import { resolveFlow, wizardWrites, type StepLookup } from '../fields/flows.ts';
import type { Logger } from 'pino';
import type { Session, WriteRecord } from '../store/store.ts';
import type { ItemView } from '../concur/expense.ts';
import type { SearchContext } from '../sources/source.ts';

/**
 * Every read and write to Concur ends within these, retries included, so the server always answers before the
 * popup stops waiting (50 s for a read, 60 s for a write): the user never gives up on a write still in flight.
 */
const READ_DEADLINE_MS = 40_000;
const WRITE_DEADLINE_MS = 45_000;

/**
 * What a session remembers of its item: the transaction date and expense type (for context filters and source
 * URLs) and the fields' values (the old values the audit log records for a write).
 */
const factsOf = (deps: AppDeps, s: Session, view: ItemView): NonNullable<Session['facts']> => {
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
};

/** The fields a session writes (lower case): the launched one, or every field its wizard writes. */
function writtenFields(deps: AppDeps, s: Session): string[] {
  const flow = deps.sources.flowFor(s.fieldId);
  const fields = flow
    ? flow.steps.flatMap((step) => ('writeTo' in step && step.writeTo ? [step.writeTo] : []))
    : [s.fieldId];
  return [...new Set(fields.map((f) => f.toLowerCase()))];
}

const ACCESS_WORDS = { RO: 'read-only', HD: 'hidden' } as const;

/** A field the form makes read-only or hidden for this user: nothing is written to it from here. */
function notWritable(fields: readonly string[], rules: Record<string, FieldRule> | undefined) {
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
function checkWrites(s: Session, writes: readonly FieldWrite[]): void {
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

/** Why nothing can be saved from this window, known before the user picks anything. */
async function blockedReason(deps: AppDeps, s: Session, view: ItemView): Promise<SessionContext['blocked']> {
  if (view.state.paid) return { code: 'report_paid', message: PAID_MESSAGE };
  const locked = notWritable(writtenFields(deps, s), view.fields);
  if (locked) return { code: 'field_not_writable', ...locked };
  if (needsCompanyToken(s.item.kind, view.state) && !(await deps.company.isConnected()))
    return { code: 'company_not_connected', message: NOT_CONNECTED_MESSAGE };
  return undefined;
}

/** The item's facts are read once, before the first search or commit needs them. */
async function withFacts(deps: AppDeps, key: string, s: Session): Promise<Session> {
  if (s.facts) return s;
  const view = await deps.items.read(key, s, AbortSignal.timeout(READ_DEADLINE_MS));
  s.facts = factsOf(deps, s, view);
  await saveSession(deps.store, key, s, deps.now());
  return s;
}

/** The launch context a search runs in, from the session. */

function searchContext(deps: AppDeps, key: string, s: Session): SearchContext {
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
function fieldSource(deps: AppDeps, s: Session) {
  const source = deps.sources.forField(s.fieldId);
  if (!source)
    throw new FieldNotConfigured(
      `The field ${s.fieldId} is no longer set up in the connector, so nothing can be chosen or saved for it. ` +
        'Close this window.',
    );
  return source;
}

/** How many recent picks per user and field are offered. */
const RECENT_PICKS = 5;
/** Recent picks are kept per user and field, and per step in a wizard. */
const recentKey = (s: Session, step?: string) =>
  `${s.companyDomain.toLowerCase()}|${s.loggedInUserId.toLowerCase()}|${s.fieldId.toLowerCase()}` +
  (step ? `|${step}` : '');

const SESSION_ENDED = "This window's session has ended. Close it and click the button in Concur again.";

/** What the audit log calls the item a session writes. */
const itemName = (s: Session) =>
  [s.item.kind, s.item.reportId, s.item.expenseId, s.item.allocationId].filter(Boolean).join(' ');

/**
 * Writes the session's item in Concur. Every attempt is counted by outcome and recorded in the audit log with old
 * and new values. Once Concur has the value, nothing may make the request fail: a store that cannot take the
 * record then gets it in the log.
 */
async function auditedWrite(
  deps: AppDeps,
  key: string,
  s: Session,
  writes: readonly FieldWrite[],
  log: Logger,
): Promise<{ correlationId: string }> {
  const record = (result: 'written' | 'failed', correlationId?: string, error?: string): WriteRecord => ({
    at: deps.now(),
    companyDomain: s.companyDomain,
    userId: s.loggedInUserId,
    item: itemName(s),
    fields: writes.map((w) => ({
      field: w.field,
      old: s.facts?.values?.[w.field.toLowerCase()] ?? null,
      new: w.value,
    })),
    result,
    ...(correlationId ? { correlationId } : {}),
    ...(error ? { error } : {}),
  });
  const keep = (r: WriteRecord) =>
    deps.store.recordWrite(r, deps.config.auditRetentionDays * 86_400_000).catch((error: Error) => {
      deps.metrics.auditLost.inc();
      log.error(
        { audit: r, cause: error.message },
        'the audit log could not keep this write-back attempt; it is recorded here instead',
      );
    });
  checkWrites(s, writes);
  let r: { correlationId: string };
  try {
    r = await deps.items.write(key, s, writes, AbortSignal.timeout(WRITE_DEADLINE_MS));
  } catch (error) {
    deps.metrics.writes.inc({ outcome: 'failed' });
    const known = error instanceof AppError ? error : undefined;
    await keep(record('failed', known?.correlationId, known?.code ?? 'internal_error'));
    throw error;
  }
  deps.metrics.writes.inc({ outcome: 'written' });
  await keep(record('written', r.correlationId));
  // What the item holds now: the next write's "old" value in the audit log (kept best-effort).
  if (s.facts?.values) {
    for (const w of writes) s.facts.values[w.field.toLowerCase()] = w.value;
    await saveSession(deps.store, key, s, deps.now()).catch((error: Error) =>
      log.warn({ cause: error.message }, 'session facts not updated'),
    );
  }
  return r;
}

/** Recent picks are a convenience: a store that fails here must not turn a saved value into an error. */
async function rememberPick(deps: AppDeps, key: string, code: string, log: Logger): Promise<void> {
  await deps.store
    .pushRecent(key, code, RECENT_PICKS)
    .catch((error: Error) => log.warn({ cause: error.message }, 'recent pick not remembered'));
}

/** A search step's item for a code, narrowed by the pick of its `within` step. */
function stepLookup(deps: AppDeps, key: string, s: Session, signal: AbortSignal): StepLookup {
  return async (step, code, answers) => {
    const within = step.within ? answerValue(answers[step.within]) : undefined;
    const ctx = { ...searchContext(deps, key, s), ...(within ? { within } : {}) };
    return deps.sources.forStep(s.fieldId, step.id)?.lookup(code, ctx, signal);
  };
}

/**
 * A wizard's context: the flow, the values its fields hold now, and those values as answers (where an answer
 * can be read back from what was written), so that a second visit starts from the first one's answers.
 */
async function wizardContext(
  deps: AppDeps,
  key: string,
  s: Session,
  flow: Flow,
  values: Record<string, string | null>,
) {
  const fieldValues: Record<string, string | null> = {};
  const prefill: Record<string, Answer> = {};
  const lookup = stepLookup(deps, key, s, AbortSignal.timeout(10_000));
  for (const step of flow.steps) {
    if (step.kind === 'review' || !step.writeTo) continue;
    const current = values[step.writeTo.toLowerCase()] ?? null;
    fieldValues[step.writeTo] = current;
    const readable = step.template === (step.kind === 'search' ? '{code}' : '{value}');
    if (!current || !readable) continue;
    const answer = step.kind === 'search' ? await lookup(step, current, prefill).catch(() => undefined) : current;
    if (answer !== undefined && !checkAnswer(step, answer)) prefill[step.id] = answer;
  }
  return { flow, fieldValues, prefill };
}

/** Checks every answer, then writes all the wizard's fields in one Concur update. */
async function commitWizard(
  deps: AppDeps,
  key: string,
  s: Session,
  flow: Flow,
  answers: Record<string, string>,
  log: Logger,
): Promise<CommitResponse> {
  const writes = await wizardWrites(flow, answers, stepLookup(deps, key, s, AbortSignal.timeout(10_000)));
  const written = writes.map(({ field, value }) => ({ field, value }));
  const launched = written.find((w) => w.field.toLowerCase() === s.fieldId.toLowerCase()) ?? written[0];
  if (!launched) return { field: s.fieldId, value: '', written, correlationId: '' };
  const { correlationId } = await auditedWrite(deps, key, s, written, log);
  log.info({ field: s.fieldId, fields: written.map((w) => w.field), correlationId }, 'wizard values written to Concur');
  for (const w of writes) {
    const step = flow.steps.find((x) => x.id === w.step);
    if (step?.kind === 'search') await rememberPick(deps, recentKey(s, step.id), answers[step.id]!, log);
  }
  return { field: launched.field, value: launched.value, written, correlationId };
}

export function apiRoutes(deps: AppDeps) {
  const api = new Hono<AppEnv>();
  const cookie = handoffCookie(deps.config.publicUrl.startsWith('https:'));

  api.post('/session', async (c) => {
    const handoff = getCookie(c, HANDOFF_COOKIE, cookie.prefix);
    deleteCookie(c, HANDOFF_COOKIE, { path: cookie.path, secure: cookie.prefix === 'host', prefix: cookie.prefix });
    const token = handoff ? await claimSession(deps.store, handoff, deps.now()) : undefined;
    if (!token) throw new SessionMissing(SESSION_ENDED);
    c.header('Cache-Control', 'no-store');
    return c.json({ token } satisfies SessionClaim);
  });

  api.use(
    '*',
    bearerAuth({
      verifyToken: async (token, c) => {
        const key = sessionKey(token);
        // A session kept from before v1 was removed (they carried no item) counts as ended.
        const found = await deps.store.getSession(key);
        const session = (found as { version?: number } | undefined)?.version === 4 ? found : undefined;
        if (session) {
          (c as Context<AppEnv>).set('session', session);
          (c as Context<AppEnv>).set('sessionKey', key);
        }
        return session !== undefined;
      },
      noAuthenticationHeader: { message: { error: { code: 'session_missing', message: SESSION_ENDED } } },
      invalidToken: { message: { error: { code: 'session_missing', message: SESSION_ENDED } } },
      invalidAuthenticationHeader: { message: { error: { code: 'session_missing', message: SESSION_ENDED } } },
    }),
  );

  api.get('/context', async (c) => {
    const s = c.get('session');
    const key = c.get('sessionKey');
    const view = await deps.items.read(key, s, AbortSignal.timeout(READ_DEADLINE_MS));
    const { currentValue } = view;
    // Remember what the item says now, for later searches and the audit log.
    const facts = factsOf(deps, s, view);
    if (JSON.stringify(facts) !== JSON.stringify(s.facts ?? {})) {
      s.facts = facts;
      await saveSession(deps.store, key, s, deps.now());
    }
    // The current value's item, for the picker to preselect; a source that cannot say is not an error here.
    const currentItem = currentValue
      ? await deps.sources
          .forField(s.fieldId)
          ?.lookup(currentValue, searchContext(deps, key, s), AbortSignal.timeout(10_000))
          .catch(() => undefined)
      : undefined;
    const onBehalfOfOwner = s.loggedInUserId.toLowerCase() !== s.reportOwnerUserId.toLowerCase();
    const flowConfig = deps.sources.flowFor(s.fieldId);
    const wizard = flowConfig
      ? await wizardContext(deps, key, s, resolveFlow(flowConfig, s.languageCode), view.values)
      : {};
    const rule = view.fields[s.fieldId.toLowerCase()];
    const blocked = await blockedReason(deps, s, view);
    return c.json({
      item: view.summary,
      report: {
        name: view.reportName,
        submitted: view.state.submitted,
        paid: view.state.paid,
        ownerEmployeeId: s.reportOwnerEmployeeId || null,
        onBehalfOfOwner,
      },
      field: {
        id: s.fieldId,
        ...(rule ? { access: rule.access } : {}),
        ...(rule?.maxLength ? { maxLength: rule.maxLength } : {}),
      },
      ...(blocked ? { blocked } : {}),
      currentValue,
      currentItem: currentItem
        ? {
            code: currentItem.code,
            label: currentItem.label,
            ...(currentItem.detail ? { detail: currentItem.detail } : {}),
            ...(currentItem.display ? { display: currentItem.display } : {}),
          }
        : null,
      languageCode: s.languageCode,
      isMobile: s.isMobile,
      ...wizard,
    } satisfies SessionContext);
  });

  api.use(
    '/search',
    deps.metrics.timeSearches('popup'),
    searchLimit(deps, 'popup', (c) => c.get('sessionKey')),
  );

  api.get('/search', zValidator('query', SearchQuery, invalid), async (c) => {
    const { step, within, ...request } = c.req.valid('query');
    const s = await withFacts(deps, c.get('sessionKey'), c.get('session'));
    const ctx = { ...searchContext(deps, c.get('sessionKey'), s), ...(within ? { within } : {}) };
    const source = searchSource(deps.sources, s.fieldId, step);
    const signal = AbortSignal.timeout(SEARCH_DEADLINE_MS);
    const result = await searchPage(source, request, ctx, signal);
    const { q, offset, parent } = request;
    // With nothing typed, the user's recent picks for this field come first (those still offered).
    if (!q.trim() && offset === 0 && !parent) {
      const codes = await deps.store.recent(recentKey(s, step));
      const found = await Promise.all(codes.map((code) => source.lookup(code, ctx, signal).catch(() => undefined)));
      result.recent = found.filter((i) => i !== undefined);
    }
    return c.json(result);
  });

  api.post('/commit', zValidator('json', CommitRequest, invalid), async (c) => {
    // Context filters must judge the value with the item's facts, even if the popup never asked for the context.
    const s = await withFacts(deps, c.get('sessionKey'), c.get('session'));
    const body = c.req.valid('json');
    const flowConfig = deps.sources.flowFor(s.fieldId);
    if ('answers' in body || flowConfig) {
      if (!('answers' in body) || !flowConfig) {
        const message = flowConfig
          ? 'This field is filled in with a form of several steps: send its answers.'
          : 'This field has a single search: send the code picked.';
        return c.json({ error: { code: 'invalid_request', message } } satisfies ErrorBody, 400);
      }
      return c.json(
        await commitWizard(
          deps,
          c.get('sessionKey'),
          s,
          resolveFlow(flowConfig, s.languageCode),
          body.answers,
          c.get('log')(),
        ),
      );
    }
    const { code } = body;
    // The browser picks a value, never a target, and only a value this field's source offers, and not an inactive one.
    const item = await fieldSource(deps, s).lookup(
      code,
      searchContext(deps, c.get('sessionKey'), s),
      AbortSignal.timeout(10_000),
    );
    if (!item) throw new ValueNotInCatalog(`${code} is not one of the values offered for this field.`);
    if (item.inactive) throw new ValueNotInCatalog(`${item.display ?? code} cannot be chosen here: ${item.inactive}.`);
    const written = [{ field: s.fieldId, value: code }];
    const { correlationId } = await auditedWrite(deps, c.get('sessionKey'), s, written, c.get('log')());
    c.get('log')().info({ field: s.fieldId, correlationId }, 'value written to Concur');
    await rememberPick(deps, recentKey(s), code, c.get('log')());
    return c.json({ field: s.fieldId, value: code, written, correlationId } satisfies CommitResponse);
  });

  return api;
}
