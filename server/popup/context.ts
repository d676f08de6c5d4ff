// The popup's first read: the item as Concur has it now, why nothing could be saved, and a wizard's answers so far.
import { saveSession } from '../launch/launch.ts';
import { companyNotConnected, needsCompanyTokenFor } from '../sessions/items.ts';
import type { ItemView } from '../concur/expense.ts';
import { ReportPaid } from '../errors.ts';
import type { Session } from '../sessions/session.ts';
import { resolveFlow } from '../fields/flows.ts';
import type { Flow, SessionContext } from '../../src/contract/api.ts';
import { checkAnswer, type Answer } from '../../src/flows/wizard.ts';
import { LOOKUP_DEADLINE_MS, READ_DEADLINE_MS, type PopupDeps } from './deps.ts';
import { factsOf, notWritable, searchContext, stepLookup, writtenFields } from './facts.ts';

/** Why nothing can be saved from this window, known before the user picks anything. */
async function blockedReason(deps: PopupDeps, s: Session, view: ItemView): Promise<SessionContext['blocked']> {
  if (view.state.paid) return { code: 'report_paid', message: new ReportPaid().message };
  const locked = notWritable(writtenFields(deps, s), view.fields);
  if (locked) return { code: 'field_not_writable', ...locked };
  if (needsCompanyTokenFor(s, view.state) && !(await deps.company.isConnected()))
    return { code: 'company_not_connected', message: companyNotConnected(s).message };
  return undefined;
}

/**
 * A wizard's context: the flow, the values its fields hold now, and those values as answers (where an answer
 * can be read back from what was written), so that a second visit starts from the first one's answers.
 */
async function wizardContext(
  deps: PopupDeps,
  key: string,
  s: Session,
  flow: Flow,
  values: Record<string, string | null>,
) {
  const fieldValues: Record<string, string | null> = {};
  const prefill: Record<string, Answer> = {};
  const lookup = stepLookup(deps, key, s, AbortSignal.timeout(LOOKUP_DEADLINE_MS));
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

/** What the popup shows first: the item, its report, the field's rule, the current value, and any wizard. */
export async function readContext(deps: PopupDeps, key: string, s: Session): Promise<SessionContext> {
  const view = await (deps.itemReads?.take(key) ?? deps.items.read(key, s, AbortSignal.timeout(READ_DEADLINE_MS)));
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
        ?.lookup(currentValue, searchContext(deps, key, s), AbortSignal.timeout(LOOKUP_DEADLINE_MS))
        .catch(() => undefined)
    : undefined;
  const onBehalfOfOwner = s.loggedInUserId.toLowerCase() !== s.reportOwnerUserId.toLowerCase();
  const flowConfig = deps.sources.flowFor(s.fieldId);
  const wizard = flowConfig
    ? await wizardContext(deps, key, s, resolveFlow(flowConfig, s.languageCode), view.values)
    : {};
  const rule = view.fields[s.fieldId.toLowerCase()];
  const blocked = await blockedReason(deps, s, view);
  return {
    // Said for Concur Request only: a context without it is an Expense launch's (the contract's default).
    ...(s.product === 'request' ? { product: s.product } : {}),
    item: view.summary,
    report: {
      name: view.reportName,
      submitted: view.state.submitted,
      paid: view.state.paid,
      ownerEmployeeId: s.reportOwnerEmployeeId || null,
      onBehalfOfOwner,
      ...view.dates,
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
  };
}
