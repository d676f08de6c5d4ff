// The popup's Done: the value (or a wizard's answers) checked against the field's source and the form's rules,
// written to Concur, recorded in the audit log, and remembered as a recent pick.
import type { Logger } from 'pino';
import { saveSession } from '../launch/launch.ts';
import { AppError, RequestInvalid, ValueNotInCatalog } from '../errors.ts';
import type { WriteRecord } from '../store/store.ts';
import type { Session } from '../sessions/session.ts';
import { resolveFlow, wizardWrites } from '../fields/flows.ts';
import type { CommitRequest, CommitResponse, FieldWrite, Flow } from '../../src/contract/api.ts';
import { LOOKUP_DEADLINE_MS, WRITE_DEADLINE_MS, type PopupDeps } from './deps.ts';
import { checkWrites, fieldSource, RECENT_PICKS, recentKey, searchContext, stepLookup, withFacts } from './facts.ts';

/** What the audit log calls the item a session writes (a travel request's: REQUEST, then its ids). */
const itemName = (s: Session) =>
  (s.product === 'request'
    ? ['REQUEST', s.item.kind, s.item.requestId, s.item.expenseId, s.item.allocationId]
    : [s.item.kind, s.item.reportId, s.item.expenseId, s.item.allocationId]
  )
    .filter(Boolean)
    .join(' ');

/**
 * Writes the session's item in Concur. Every attempt is counted by outcome and recorded in the audit log with old
 * and new values. Once Concur has the value, nothing may make the request fail: a store that cannot take the
 * record then gets it in the log.
 */
async function auditedWrite(
  deps: PopupDeps,
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
async function rememberPick(deps: PopupDeps, key: string, code: string, log: Logger): Promise<void> {
  await deps.store
    .pushRecent(key, code, RECENT_PICKS)
    .catch((error: Error) => log.warn({ cause: error.message }, 'recent pick not remembered'));
}

/** Checks every answer, then writes all the wizard's fields in one Concur update. */
async function commitWizard(
  deps: PopupDeps,
  key: string,
  s: Session,
  flow: Flow,
  answers: Record<string, string>,
  log: Logger,
): Promise<CommitResponse> {
  const writes = await wizardWrites(flow, answers, stepLookup(deps, key, s, AbortSignal.timeout(LOOKUP_DEADLINE_MS)));
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

/** Writes a single search's pick: only a value this field's source offers, and not an inactive one. */
async function commitPick(deps: PopupDeps, key: string, s: Session, code: string, log: Logger) {
  const item = await fieldSource(deps, s).lookup(
    code,
    searchContext(deps, key, s),
    AbortSignal.timeout(LOOKUP_DEADLINE_MS),
  );
  if (!item) throw new ValueNotInCatalog(`${code} is not one of the values offered for this field.`);
  if (item.inactive) throw new ValueNotInCatalog(`${item.display ?? code} cannot be chosen here: ${item.inactive}.`);
  const written = [{ field: s.fieldId, value: code }];
  const { correlationId } = await auditedWrite(deps, key, s, written, log);
  log.info({ field: s.fieldId, correlationId }, 'value written to Concur');
  await rememberPick(deps, recentKey(s), code, log);
  return { field: s.fieldId, value: code, written, correlationId } satisfies CommitResponse;
}

/** The user's Done. The browser picks a value (or answers), never a target: the session names the item and field. */
export async function commit(
  deps: PopupDeps,
  key: string,
  session: Session,
  body: CommitRequest,
  log: Logger,
): Promise<CommitResponse> {
  // Context filters must judge the value with the item's facts, even if the popup never asked for the context.
  const s = await withFacts(deps, key, session);
  const flowConfig = deps.sources.flowFor(s.fieldId);
  if (!('answers' in body) && !flowConfig) return commitPick(deps, key, s, body.code, log);
  if (!('answers' in body) || !flowConfig)
    throw new RequestInvalid(
      flowConfig
        ? 'This field is filled in with a form of several steps: send its answers.'
        : 'This field has a single search: send the code picked.',
    );
  return commitWizard(deps, key, s, resolveFlow(flowConfig, s.languageCode), body.answers, log);
}
