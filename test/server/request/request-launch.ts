// Concur Request launches for node tests: a query string as Concur Request signs one, for the sandbox's travel
// request items, and its session claimed as the popup claims it.
import type { SandboxConcur } from '../../../server/sandbox/concur-state.ts';
import { SANDBOX_TRAVEL_REQUESTS, SANDBOX_USER } from '../../../server/sandbox/concur-state.ts';
import { SANDBOX_REQUEST_IDS } from '../../../server/sandbox/request-state.ts';
import { signRequestLaunchV4, type SignedRequestLaunchV4 } from '../../../server/launch/signature.ts';
import { LAUNCH_PATHS } from '../../../server/launch/request-params.ts';
import { CONCUR, CREDENTIALS } from '../helpers.ts';

/** The fields a fields file serves on both products' forms: the header's, the expected expense's, a wizard's. */
export const REQUEST_FIELDS = {
  sources: { projects: { type: 'catalog' } },
  fields: { custom5: 'projects', custom9: 'projects', custom12: 'projects', custom7: 'projects' },
  products: { custom5: 'both', custom9: 'request', custom12: 'both', custom7: 'request' },
};

export type RequestItem = 'header' | 'entry' | 'allocation' | 'cancelled';

/** The item_url, source and field of a launch on one of the sandbox's travel-request items. */
export function requestItem(concur: SandboxConcur, item: RequestItem) {
  const forms = concur.requestForms;
  switch (item) {
    case 'header':
      return {
        item_url: forms.itemUrl(CONCUR, { request: SANDBOX_TRAVEL_REQUESTS.frankfurt.id }),
        source: 'HEADER',
        field: 'custom5',
      };
    case 'cancelled':
      return {
        item_url: forms.itemUrl(CONCUR, { request: SANDBOX_TRAVEL_REQUESTS.zurich.id }),
        source: 'HEADER',
        field: 'custom5',
      };
    case 'entry':
      return {
        item_url: forms.itemUrl(CONCUR, { expense: SANDBOX_REQUEST_IDS.taxi }),
        source: 'ENTRY',
        field: 'custom12',
      };
    case 'allocation':
      return {
        item_url: forms.itemUrl(CONCUR, { allocation: SANDBOX_REQUEST_IDS.hotelAllocationA }),
        source: 'ALLOCATION',
        field: 'custom9',
      };
  }
}

export interface RequestLaunchOptions {
  item?: RequestItem;
  signed?: Partial<SignedRequestLaunchV4>;
  /** Unsigned parameters (custom_field_launched_from, request_ids, ...). */
  unsigned?: Record<string, string>;
  /** Applied after signing, to simulate tampering or another naming. */
  tamper?: Record<string, string>;
  omit?: string[];
  /** Who clicked (the code is issued for them): Jane by default. */
  user?: string;
}

/** A Request launch query string exactly as Concur Request would send it, with a fresh nonce and code. */
export function requestLaunchQuery(concur: SandboxConcur, opts: RequestLaunchOptions = {}): URLSearchParams {
  const { item_url, source, field } = requestItem(concur, opts.item ?? 'header');
  const user = opts.user ?? SANDBOX_USER.id;
  const signed: SignedRequestLaunchV4 = {
    company_domain: 'acmecorp.com',
    logged_in_user_id: user,
    request_owner_user_id: SANDBOX_USER.id,
    request_owner_employee_id: 'EMP-00042',
    item_url,
    nonce: crypto.randomUUID(),
    ...opts.signed,
  };
  const q = new URLSearchParams({
    ...signed,
    custom_field_launched_from: field,
    source,
    is_mobile: 'false',
    signature: signRequestLaunchV4(signed, CREDENTIALS),
    client_auth_code: concur.issueAuthCode(user),
    language_code: 'en-GB',
    ...opts.unsigned,
    ...opts.tamper,
  });
  for (const k of opts.omit ?? []) q.delete(k);
  return q;
}

export const requestForm = (q: URLSearchParams) => `${LAUNCH_PATHS.request}?${q.toString()}`;

interface RequestsApp {
  request(path: string, init?: RequestInit): Response | Promise<Response>;
}

/** Runs a Request launch and claims its session, as the popup does; returns the bearer token. */
export async function requestSession(
  app: RequestsApp,
  concur: SandboxConcur,
  opts: RequestLaunchOptions = {},
): Promise<string> {
  const res = await app.request(requestForm(requestLaunchQuery(concur, opts)));
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status >= 400 || !cookie) throw new Error(`launch answered ${res.status}: ${await res.text()}`);
  const claim = await app.request('/api/session', { method: 'POST', headers: { cookie } });
  if (claim.status !== 200) throw new Error(`the claim answered ${claim.status}: ${await claim.text()}`);
  return ((await claim.json()) as { token: string }).token;
}

/** An error answer's code and message. */
export const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string } }).error;
