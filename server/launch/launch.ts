// Turns Concur's signed v4 launch into a popup session: verify, refuse replays, check the item, get a token.
import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { LaunchV4Query } from './params.js';
import { isValidSignatureV4, type ConnectorCredentials } from './signature.js';
import { parseExpenseEntryUrl, type ExpenseEntryRef } from '../concur/item-url.js';
import type { HostAllowlist } from '../concur/hosts.js';
import type { ConcurClient } from '../concur/client.js';
import type { Session, Store } from '../store/store.js';
import {
  ItemUrlNotAllowed, LaunchParamsInvalid, LaunchReplayed, LaunchSignatureInvalid, LaunchSourceUnsupported,
} from '../errors.js';

export interface LaunchDeps {
  credentials: ConnectorCredentials;
  allowlist: HostAllowlist;
  store: Store;
  concur: ConcurClient;
  now: () => number;
}

/** Concur documents no nonce expiry, so a used nonce is remembered well past any plausible popup lifetime. */
export const NONCE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** A session lives as long as a user might keep the popup open; the token inside it may be shorter-lived. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** The popup claims its session right after the redirect. */
export const HANDOFF_TTL_MS = 2 * 60 * 1000;

export interface VerifiedLaunch {
  query: LaunchV4Query;
  item: ExpenseEntryRef;
}

function describeIssues(error: z.ZodError): string {
  const names = [...new Set(error.issues.map((i) => i.message))];
  return `Concur's link is missing something we need: ${names.join('; ')}.`;
}

/** Checks a v4 launch's parameters and signature, and that item_url is a trusted expense entry. Pure. */
export function verifyLaunchV4(raw: Record<string, string>, credentials: ConnectorCredentials, allowlist: HostAllowlist): VerifiedLaunch {
  const parsed = LaunchV4Query.safeParse(raw);
  if (!parsed.success) throw new LaunchParamsInvalid(describeIssues(parsed.error));
  const query = parsed.data;
  if (!isValidSignatureV4(query, query.signature, credentials)) {
    throw new LaunchSignatureInvalid(
      'The signature on this link does not match. If this keeps happening, your administrator should check that the connector user name and password here match the ones registered in Concur.',
    );
  }
  if (query.source !== 'ENTRY') {
    throw new LaunchSourceUnsupported(`This connector handles Launch URL fields on expense entries; this one was opened from ${query.source.toLowerCase()} level.`);
  }
  const item = parseExpenseEntryUrl(query.item_url);
  if (!item) throw new LaunchParamsInvalid('The item_url in this link is not an Expense v4 expense entry address.');
  if (!allowlist.allows(item.url)) {
    throw new ItemUrlNotAllowed('The expense this link names is not on a Concur host this connector trusts, so nothing was sent to it.');
  }
  return { query, item };
}

/** The session key is a bearer secret; the store only ever sees its hash. */
export const sessionKey = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Runs the whole launch and returns a one-time hand-off code for the popup. The nonce is claimed only after
 * the signature is verified, so unsigned requests cannot burn nonces.
 */
export async function startLaunchV4(raw: Record<string, string>, deps: LaunchDeps): Promise<{ handoff: string }> {
  const { query, item } = verifyLaunchV4(raw, deps.credentials, deps.allowlist);
  if (!(await deps.store.claimNonce(query.nonce, NONCE_TTL_MS))) {
    throw new LaunchReplayed('This link from Concur was already used. Close this window and click the button in Concur again.');
  }
  const token = await deps.concur.exchangeAuthCode(query.client_auth_code);
  const session: Session = {
    item,
    fieldId: query.custom_field_launched_from,
    companyDomain: query.company_domain,
    loggedInUserId: query.logged_in_user_id,
    reportOwnerUserId: query.report_owner_user_id,
    languageCode: query.language_code,
    isMobile: query.is_mobile,
    token,
    createdAt: deps.now(),
  };
  const sessionToken = randomBytes(32).toString('base64url');
  await deps.store.putSession(sessionKey(sessionToken), session, SESSION_TTL_MS);
  const handoff = randomBytes(24).toString('base64url');
  await deps.store.putHandoff(handoff, sessionToken, HANDOFF_TTL_MS);
  return { handoff };
}
