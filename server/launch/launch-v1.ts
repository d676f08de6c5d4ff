// Legacy v1 launches (GET /concur/form/v1.0/get): HMAC-SHA1, entry level only, written with the company token.
import { z } from 'zod';
import { isValidSignatureV1, type ConnectorCredentials } from './signature.ts';
import { NONCE_TTL_MS } from './limits.ts';
import { createSession, describeIssues } from './launch.ts';
import { CONCUR_LEGACY_HOSTS, type HostAllowlist } from '../concur/hosts.ts';
import type { Store, V1Session } from '../store/store.ts';
import type { CompanyTokens } from '../concur/company-token.ts';
import {
  CompanyTokenMissing,
  ItemUrlNotAllowed,
  LaunchParamsInvalid,
  LaunchReplayed,
  LaunchSignatureInvalid,
} from '../errors.ts';

const required = (name: string) =>
  z
    .string({ error: `${name} is missing` })
    .refine((v) => v.trim() !== '', `${name} is empty`)
    .pipe(z.string().max(4096, `${name} is too long`));

export const LaunchV1Query = z.object({
  xcompanydomain: required('xcompanydomain'),
  xuserid: required('xuserid'),
  itemurl: required('itemurl'),
  nonce: required('nonce'),
  signature: required('signature'),
});

/**
 * `.../expensereport/v1.1/report/{reportKey}/entry/{entryKey}`: the entry key is the last segment (protocol sheet §2).
 */
const V1_ENTRY = /\/report\/([^/?#]+)\/entry\/([^/?#]+)\/?$/;

export interface LaunchV1Deps {
  allowlist: HostAllowlist;
  store: Store;
  companyTokens?: CompanyTokens;
  v1CustomField?: string;
  now: () => number;
}

type LaunchV1Query = z.infer<typeof LaunchV1Query>;

/** Checks a v1 launch's parameters and signature, and nothing else: what a forger controls. Pure. */
export function authenticateLaunchV1(raw: Record<string, string>, credentials: ConnectorCredentials): LaunchV1Query {
  const parsed = LaunchV1Query.safeParse(raw);
  if (!parsed.success) throw new LaunchParamsInvalid(describeIssues(parsed.error));
  const q = parsed.data;
  if (!isValidSignatureV1(q, q.signature, credentials)) {
    throw new LaunchSignatureInvalid(
      'The signature on this link does not match. ' +
        'If this keeps happening, your administrator should check that the connector user name and password here ' +
        'match the ones registered in Concur.',
    );
  }
  return q;
}

/** Runs an authenticated v1 launch (see authenticateLaunchV1). */
export async function startLaunchV1(
  q: LaunchV1Query,
  deps: LaunchV1Deps,
): Promise<{ handoff: string; fieldId: string }> {
  if (!deps.companyTokens || !deps.v1CustomField) {
    throw new CompanyTokenMissing(
      'This Concur field uses the older v1 launch, which this connector is not set up for. ' +
        'An administrator must set COMPANY_TOKEN_FILE, TOKEN_ENCRYPTION_KEY and V1_CUSTOM_FIELD, ' +
        'and run npm run company-token.',
    );
  }
  let url: URL;
  try {
    url = new URL(q.itemurl);
  } catch {
    throw new LaunchParamsInvalid('The itemurl in this link is not an address.');
  }
  const m = V1_ENTRY.exec(url.pathname);
  if (!m)
    throw new LaunchParamsInvalid(
      'The itemurl in this link is not an expense entry address (v1 launches work at entry level only).',
    );
  // No token goes to itemurl (v1 writes at the company token's geolocation), but it must still be Concur's.
  if (
    !(url.protocol === 'https:' && CONCUR_LEGACY_HOSTS.includes(url.hostname.toLowerCase())) &&
    !deps.allowlist.allows(url)
  ) {
    throw new ItemUrlNotAllowed('The expense this link names is not on a Concur host this connector trusts.');
  }
  if (!(await deps.store.claimNonce(`v1:${q.nonce}`, NONCE_TTL_MS))) {
    throw new LaunchReplayed(
      'This link from Concur was already used. Close this window and click the button in Concur again.',
    );
  }
  let entryId: string;
  try {
    entryId = decodeURIComponent(m[2]!);
  } catch {
    throw new LaunchParamsInvalid('The itemurl in this link is not a well-formed address.');
  }
  const session: V1Session = {
    version: 1,
    itemUrl: q.itemurl,
    entryId,
    fieldId: deps.v1CustomField,
    companyDomain: q.xcompanydomain,
    loggedInUserId: q.xuserid,
    languageCode: 'en',
    isMobile: false,
    createdAt: deps.now(),
  };
  return createSession(deps.store, session);
}
