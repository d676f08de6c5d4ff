// Turns Concur's signed v4 launch into a popup session: verify, refuse replays, check the item, get a token.
import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { LaunchV4Query } from './params.ts';
import { isValidSignatureV4, type ConnectorCredentials } from './signature.ts';
import { HANDOFF_TTL_MS, NONCE_TTL_MS, SESSION_TTL_MS } from './limits.ts';
import { parseItemUrl, type ItemRef } from '../concur/item-url.ts';
import type { HostAllowlist } from '../concur/hosts.ts';
import type { ConcurClient } from '../concur/client.ts';
import type { Store } from '../store/store.ts';
import type { Session, V4Session } from '../sessions/session.ts';
import {
  FieldNotConfigured,
  LaunchUserMismatch,
  ItemUrlNotAllowed,
  LaunchParamsInvalid,
  LaunchReplayed,
  LaunchSignatureInvalid,
} from '../errors.ts';

/** Which Launch URL fields the configuration names (a single search or a wizard), spelled as it spells them. */
export interface LaunchFields {
  canonical(fieldId: string): string | undefined;
}

export interface LaunchDeps {
  allowlist: HostAllowlist;
  fields: LaunchFields;
  store: Store;
  concur: ConcurClient;
  now: () => number;
  /** What the hand-off code starts with: the company it belongs to (companyTokenPrefix). */
  tokenPrefix?: string;
  /** Refuses a launch whose owner is not the company's (a linked company's check); runs beside the code exchange. */
  checkOwner?: (query: LaunchV4Query, item: ItemRef) => Promise<void>;
}

export interface VerifiedLaunch {
  query: LaunchV4Query;
  item: ItemRef;
  expenseIds: string[];
}

export function describeIssues(error: z.ZodError): string {
  const names = [...new Set(error.issues.map((i) => i.message))];
  return `Concur's link is missing something we need: ${names.join('; ')}.`;
}

const KIND_NAMES = { HEADER: 'a report header', ENTRY: 'an expense entry', ALLOCATION: 'an allocation' } as const;

/**
 * Checks a v4 launch's parameters and signature, and nothing else: what a forger controls. Pure and cheap, so it
 * runs before anything else (the refused-launch limit counts only launches this refuses).
 */
export function authenticateLaunchV4(
  raw: Record<string, string>,
  credentials: ConnectorCredentials | readonly ConnectorCredentials[],
): LaunchV4Query {
  const parsed = LaunchV4Query.safeParse(raw);
  if (!parsed.success) {
    const error = new LaunchParamsInvalid(describeIssues(parsed.error));
    // Should Concur ever send user ids in another form (the sheet's example says "login ID"), the log shows their
    // shape (letters as a, digits as 9), never the ids themselves.
    error.logContext = { userIdShapes: [raw.logged_in_user_id, raw.report_owner_user_id].map(shapeOf) };
    throw error;
  }
  const query = parsed.data;
  // During a rotation a company has two pairs: each is checked (in constant time), so neither is singled out.
  const pairs: readonly ConnectorCredentials[] = 'password' in credentials ? [credentials] : credentials;
  if (!pairs.map((pair) => isValidSignatureV4(query, query.signature, pair)).includes(true)) {
    const error = new LaunchSignatureInvalid(
      'The signature on this link does not match. ' +
        'If this keeps happening, your administrator should check that the connector user name and password here ' +
        'match the ones registered in Concur.',
    );
    // One line naming the domain: an administrator whose company's launches fail sees which company it is.
    error.logContext = { companyDomain: query.company_domain.slice(0, 253) };
    throw error;
  }
  return query;
}

const shapeOf = (v: string | undefined) =>
  v === undefined ? 'missing' : v.slice(0, 64).replace(/\p{L}/gu, 'a').replace(/\p{N}/gu, '9');

/** Checks that a signed launch's item_url is a trusted item of the launch's source. Pure. */
export function checkLaunchItem(query: LaunchV4Query, allowlist: HostAllowlist): VerifiedLaunch {
  const item = parseItemUrl(query.item_url);
  if (!item) {
    // item_url's format is undocumented: keep what Concur sent (it holds no secret) for the administrator.
    const error = new LaunchParamsInvalid(
      'The item_url in this link is not an Expense v4 report, expense or allocation address.',
    );
    error.logContext = { itemUrl: query.item_url, source: query.source };
    throw error;
  }
  if (item.kind !== query.source) {
    throw new LaunchParamsInvalid(
      `This link says source=${query.source}, but its item_url points to ${KIND_NAMES[item.kind]}.`,
    );
  }
  // Kept as Concur sent them, as a hint only: an allocation is written with the expense Concur says it belongs to.
  const expenseIds = (query.expense_ids ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!allowlist.allows(new URL(item.base))) {
    throw new ItemUrlNotAllowed(
      'The item this link names is not on a Concur host this connector trusts, so nothing was sent to it.',
    );
  }
  return { query, item, expenseIds };
}

/** The whole pure check of a v4 launch: parameters, signature, item. */
export function verifyLaunchV4(
  raw: Record<string, string>,
  credentials: ConnectorCredentials | readonly ConnectorCredentials[],
  allowlist: HostAllowlist,
): VerifiedLaunch {
  return checkLaunchItem(authenticateLaunchV4(raw, credentials), allowlist);
}

/**
 * The field a launch names is not signed: a user can edit it. Only a field the configuration names gets a session,
 * so an edited id can never aim a write at another field.
 */
export function checkLaunchField(fieldId: string, fields: LaunchFields): string {
  const configured = fields.canonical(fieldId);
  if (!configured) {
    throw new FieldNotConfigured(
      `The field this button belongs to (${fieldId}) is not set up in the connector, ` +
        'so nothing can be chosen or saved for it. ' +
        "Your administrator can add it to the connector's fields configuration.",
    );
  }
  // The write names the field as the configuration spells it, never as the unsigned query did.
  return configured;
}

/** The session key is a bearer secret; the store only ever sees its hash. */
export const sessionKey = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Stores a popup session under its key until the session's fixed end (SESSION_TTL_MS after its launch). */
export function saveSession(store: Store, key: string, session: Session, now: number): Promise<void> {
  return store.putSession(key, session, session.createdAt + SESSION_TTL_MS - now);
}

/** Parks a launched session under a one-time hand-off code the popup trades for it. */
export async function createSession(
  store: Store,
  session: Session,
  prefix = '',
): Promise<{ handoff: string; fieldId: string }> {
  const handoff = prefix + randomBytes(24).toString('base64url');
  // Like the session token, the hand-off code is a bearer secret: the store only ever sees its hash.
  await store.putHandoff(sessionKey(handoff), session, HANDOFF_TTL_MS);
  return { handoff, fieldId: session.fieldId };
}

/**
 * Trades a hand-off code for the popup's bearer token. The token is made here and given only to the browser;
 * the store keeps its hash.
 */
export async function claimSession(
  store: Store,
  handoff: string,
  now: number,
  prefix = '',
): Promise<string | undefined> {
  const session = await store.takeHandoff(sessionKey(handoff));
  if (!session) return undefined;
  const token = prefix + randomBytes(32).toString('base64url');
  await saveSession(store, sessionKey(token), session, now);
  return token;
}

/**
 * Runs an authenticated launch (see authenticateLaunchV4) and returns a one-time hand-off code for the popup. The
 * nonce is claimed only after the signature is verified, so unsigned requests cannot burn nonces.
 */
export async function startLaunchV4(
  query: LaunchV4Query,
  deps: LaunchDeps,
): Promise<{ handoff: string; fieldId: string }> {
  const { item, expenseIds } = checkLaunchItem(query, deps.allowlist);
  const fieldId = checkLaunchField(query.custom_field_launched_from, deps.fields);
  if (!(await deps.store.claimNonce(`v4:${query.nonce}`, NONCE_TTL_MS))) {
    throw new LaunchReplayed(
      'This link from Concur was already used. Close this window and click the button in Concur again.',
    );
  }
  // Sign in where this company's users were last found (Concur's error 16), else at the app's geolocation.
  const remembered = await deps.store.tokenBaseFor(query.company_domain);
  const [{ token, movedTo, subject }] = await Promise.all([
    deps.concur.exchangeAuthCode(query.client_auth_code, remembered ?? deps.concur.tokenBase),
    deps.checkOwner?.(query, item),
  ]);
  if (movedTo) await deps.store.rememberTokenBase(query.company_domain, movedTo);
  // The token is for whoever clicked; the signed logged_in_user_id must be that user. This also pins where that
  // value starts and ends in the signed string, however many boundaries a forger shifts at once.
  if (subject && subject.toLowerCase() !== query.logged_in_user_id.toLowerCase()) {
    throw new LaunchUserMismatch(
      'This link from Concur names another user than the one signed in. ' +
        'Close this window and click the button in Concur again.',
    );
  }
  const session: V4Session = {
    version: 4,
    item,
    fieldId,
    expenseIds,
    companyDomain: query.company_domain,
    loggedInUserId: query.logged_in_user_id,
    reportOwnerUserId: query.report_owner_user_id,
    reportOwnerEmployeeId: query.report_owner_employee_id,
    languageCode: query.language_code,
    isMobile: query.is_mobile,
    token,
    createdAt: deps.now(),
  };
  return createSession(deps.store, session, deps.tokenPrefix);
}
