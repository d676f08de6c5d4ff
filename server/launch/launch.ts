// Turns Concur's signed v4 launch into a popup session: verify, refuse replays, check the item, get a token.
import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { LaunchV4Query } from './params.ts';
import { parseLaunchV4Query } from './request-params.ts';
import { isValidSignatureV4, type ConnectorCredentials } from './signature.ts';
import { HANDOFF_TTL_MS, NONCE_TTL_MS, SESSION_TTL_MS } from './limits.ts';
import { parseItemUrl, type ItemRef } from '../concur/item-url.ts';
import { isRequestItem, parseRequestItemUrl, type RequestItemRef } from '../concur/request-item-url.ts';
import type { Product } from '../../src/contract/api.ts';
import type { HostAllowlist } from '../concur/hosts.ts';
import type { ConcurClient } from '../concur/client.ts';
import type { Store } from '../store/store.ts';
import type { Session } from '../sessions/session.ts';
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
  /** Undefined for a field not set up (for this product's forms, when one is given). */
  canonical(fieldId: string, product?: Product): string | undefined;
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
  checkOwner?: (query: LaunchV4Query, item: Pick<ItemRef, 'base'>) => Promise<void>;
}

export interface VerifiedLaunch {
  query: LaunchV4Query;
  /** An expense report's item (Concur Expense), or a travel request's (Concur Request: query.product). */
  item: ItemRef | RequestItemRef;
  expenseIds: string[];
}

export function describeIssues(error: z.ZodError): string {
  const names = [...new Set(error.issues.map((i) => i.message))];
  return `Concur's link is missing something we need: ${names.join('; ')}.`;
}

const KIND_NAMES = {
  expense: { HEADER: 'a report header', ENTRY: 'an expense entry', ALLOCATION: 'an allocation' },
  request: { HEADER: 'a travel request', ENTRY: 'an expected expense', ALLOCATION: 'an allocation' },
} as const;
const PRODUCT_FORMS = { expense: 'expense reports', request: 'travel requests' } as const;
const ITEM_FORMATS = {
  expense: 'an Expense v4 report, expense or allocation address',
  request: 'a Request v4 travel request, expected expense or allocation address',
} as const;

/**
 * Checks a v4 launch's parameters and signature, and nothing else: what a forger controls. Pure and cheap, so it
 * runs before anything else (the refused-launch limit counts only launches this refuses).
 */
export function authenticateLaunchV4(
  raw: Record<string, string>,
  credentials: ConnectorCredentials | readonly ConnectorCredentials[],
  product: Product = 'expense',
): LaunchV4Query {
  // A Request launch's owner ids (request_owner_*) are read into the report owner's place: the signed string is
  // byte-identical (protocol sheet §2). A launch that names its owner both ways, or the other product's way, stops.
  const parsed = parseLaunchV4Query(raw, product);
  if (!parsed.success) {
    const error = new LaunchParamsInvalid(describeIssues(parsed.error));
    // Should Concur ever send user ids in another form (the sheet's example says "login ID"), the log shows their
    // shape (letters as a, digits as 9), never the ids themselves.
    const owner = product === 'request' ? raw.request_owner_user_id : raw.report_owner_user_id;
    error.logContext = { userIdShapes: [raw.logged_in_user_id, owner].map(shapeOf) };
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
  const item = query.product === 'request' ? parseRequestItemUrl(query.item_url) : parseItemUrl(query.item_url);
  if (!item) {
    // item_url's format is undocumented: keep what Concur sent (it holds no secret) for the administrator.
    const error = new LaunchParamsInvalid(`The item_url in this link is not ${ITEM_FORMATS[query.product]}.`);
    error.logContext = { itemUrl: query.item_url, source: query.source, product: query.product };
    throw error;
  }
  if (item.kind !== query.source) {
    throw new LaunchParamsInvalid(
      `This link says source=${query.source}, but its item_url points to ${KIND_NAMES[query.product][item.kind]}.`,
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
  product: Product = 'expense',
): VerifiedLaunch {
  return checkLaunchItem(authenticateLaunchV4(raw, credentials, product), allowlist);
}

/**
 * The field a launch names is not signed: a user can edit it. Only a field the configuration names gets a session,
 * so an edited id can never aim a write at another field.
 */
export function checkLaunchField(fieldId: string, fields: LaunchFields, product: Product = 'expense'): string {
  const configured = fields.canonical(fieldId, product);
  if (!configured) {
    const other: Product = product === 'expense' ? 'request' : 'expense';
    if (fields.canonical(fieldId, other))
      throw new FieldNotConfigured(
        `The field this button belongs to (${fieldId}) is set up in the connector for ${PRODUCT_FORMS[other]} ` +
          `only, not for ${PRODUCT_FORMS[product]}, so nothing can be chosen or saved for it here. ` +
          "Your administrator can set it up for both under products in the connector's fields configuration.",
      );
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

/** A one-time hand-off code (a bearer secret, like the session token: the store only ever sees its hash). */
export const newHandoffCode = (prefix = '') => prefix + randomBytes(24).toString('base64url');

/**
 * Stores a launched session under a new bearer token and leaves the token under the hand-off code the popup trades
 * for it. The token is given only to the browser; the store keeps its hash (and, sealed, the hand-off's copy).
 */
export async function parkSession(
  store: Store,
  handoff: string,
  session: Session,
  now: number,
  prefix = '',
): Promise<string> {
  const token = prefix + randomBytes(32).toString('base64url');
  const key = sessionKey(token);
  await saveSession(store, key, session, now);
  await store.putHandoff(sessionKey(handoff), { token }, HANDOFF_TTL_MS);
  return key;
}

/** A launch checked and its nonce claimed: what the code exchange and the session are made from. */
export interface AcceptedLaunch {
  query: LaunchV4Query;
  item: ItemRef | RequestItemRef;
  expenseIds: string[];
  fieldId: string;
}

/**
 * Checks an authenticated launch's item and field (see authenticateLaunchV4) and claims its nonce. The nonce is
 * claimed only after the signature is verified, so unsigned requests cannot burn nonces. No call to Concur.
 */
export async function acceptLaunchV4(query: LaunchV4Query, deps: LaunchDeps): Promise<AcceptedLaunch> {
  const { item, expenseIds } = checkLaunchItem(query, deps.allowlist);
  const fieldId = checkLaunchField(query.custom_field_launched_from, deps.fields, query.product);
  if (!(await deps.store.claimNonce(`v4:${query.nonce}`, NONCE_TTL_MS))) {
    throw new LaunchReplayed(
      'This link from Concur was already used. Close this window and click the button in Concur again.',
    );
  }
  return { query, item, expenseIds, fieldId };
}

/** Trades an accepted launch's authorization code for the user's token (and checks its owner): its session. */
export async function exchangeLaunchV4(
  { query, item, expenseIds, fieldId }: AcceptedLaunch,
  deps: LaunchDeps,
): Promise<Session> {
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
  return {
    version: 4,
    // The session records which product launched it, with that product's item.
    ...(isRequestItem(item) ? { product: 'request' as const, item } : { product: 'expense' as const, item }),
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
}
