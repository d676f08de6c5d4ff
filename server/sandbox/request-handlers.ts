// The fake Concur's Request v4 travel-request items as msw handlers (protocol sheet §2, §7): a request's header, its
// expected expenses and allocations, read and written (PUT) with Concur's rules on tokens and userId: a user token
// acts as its user (a delegate names the owner in userId), a company token needs userId on expected expenses and acts
// as "Concur System" elsewhere without one. Custom fields not on an item's form are ignored, as Concur ignores what a
// PUT may not change; a cancelled or closed request refuses every change (409). Part of concurHandlers.
import { http, HttpResponse, type PathParams } from 'msw';
import { SANDBOX_USER, type SandboxConcur, type SandboxTravelRequest } from './concur-state.ts';
import type { SandboxRequestWrite } from './request-state.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Request v4's custom fields: custom1 to custom20. */
const CUSTOM_FIELD = /^custom([1-9]|1\d|20)$/;
const CUSTOM_VALUE_MAX = 48;

/** Request v4's error body: { errorCode, errorMessage }, with the correlation id echoed. */
const requestError = (request: Request, status: number, errorCode: string, errorMessage: string) =>
  HttpResponse.json({ errorCode, errorMessage }, { status, headers: correlation(request) });
const correlation = (request: Request) => ({
  'concur-correlationid': request.headers.get('concur-correlationid') ?? crypto.randomUUID(),
});

const customJson = (custom: Record<string, string | null>) =>
  Object.fromEntries(Object.entries(custom).map(([id, value]) => [id, { code: null, value, href: null }]));

/** A travel request as Request v4 answers it (the list and the single request alike), with its header's fields. */
export const travelRequestJson = (concur: SandboxConcur, r: SandboxTravelRequest) => ({
  id: r.id,
  requestId: r.requestId,
  name: r.name,
  startDate: r.startDate,
  endDate: r.endDate,
  mainDestination: { city: r.city, countryCode: r.countryCode },
  approvalStatus: r.status,
  owner: { id: r.ownerId },
  closed: false,
  canceledPostApproval: false,
  ...customJson(concur.requestForms.headers.get(r.id) ?? {}),
});

export function travelRequestHandlers(concur: SandboxConcur) {
  const base = concur.base;
  const forms = concur.requestForms;
  const requestOf = (id: string) => concur.travelRequests.find((r) => r.id === id);

  /**
   * Who may call, for an item of `owner`'s: a user token acts as userId (or itself), which must be the owner or a
   * user the token's user is a delegate of; a company token may name any of its company's users (the owner's
   * delegates among them), and must name one where `userIdRequired`. Answers the refusal Concur would.
   */
  const authorize = (request: Request, ownerId: string, userIdRequired: boolean) => {
    const cid = request.headers.get('concur-correlationid');
    if (cid && !UUID.test(cid))
      return { failure: requestError(request, 400, 'invalidUuid', 'concur-correlationid must be a UUID') };
    const principal = concur.principalFor(request.headers.get('authorization'));
    if (!principal) return { failure: requestError(request, 401, 'invalidUser', 'Invalid or expired token') };
    const userId = new URL(request.url).searchParams.get('userId') ?? undefined;
    if (principal.kind === 'company') {
      if (!userId && userIdRequired)
        return {
          failure: requestError(request, 400, 'missingRequiredParam', 'userId is required with a company token'),
        };
      if (userId && !concur.companyUsers.get(principal.companyId)?.has(userId))
        return { failure: requestError(request, 400, 'userNotFound', `No user ${userId} in this company`) };
    } else if (userId && userId !== principal.userId && !concur.delegates.get(principal.userId)?.has(userId))
      return { failure: requestError(request, 403, 'userIsNotAllowed', 'The token may not act for this user') };
    const acting = userId ?? (principal.kind === 'user' ? principal.userId : undefined);
    if (acting && acting !== ownerId && !concur.delegates.get(acting)?.has(ownerId))
      return { failure: requestError(request, 403, 'permissionDenied', 'Not permitted on this request') };
    return { principal, ...(userId ? { userId } : {}) };
  };

  const requestJson = (r: SandboxTravelRequest) => travelRequestJson(concur, r);
  const expenseJson = (id: string) => {
    const e = forms.expenses.get(id)!;
    return {
      id: e.id,
      expenseType: e.expenseType,
      transactionDate: e.transactionDate,
      transactionAmount: e.transactionAmount,
      parentRequest: { id: e.requestUuid, href: `${base}/travelrequest/v4/requests/${e.requestUuid}` },
      allocations: [...forms.allocations.values()]
        .filter((a) => a.expenseId === id)
        .map((a) => ({ id: a.id, percentage: a.percentage })),
      ...customJson(e.custom),
    };
  };
  const allocationJson = (id: string) => {
    const a = forms.allocations.get(id)!;
    return {
      id: a.id,
      allocationId: a.id,
      percentage: a.percentage,
      expense: { id: a.expenseId },
      ...customJson(a.custom),
    };
  };

  /**
   * A partial update: each customN the item's form has takes `{ value }` (a string of at most 48 characters, or
   * null to clear); everything else is ignored, as Concur ignores what the PUT may not change.
   */
  const put = async (
    request: Request,
    travel: SandboxTravelRequest,
    custom: Record<string, string | null>,
    write: Omit<SandboxRequestWrite, 'body'> & { body?: unknown },
  ) => {
    if (travel.status.code === 'CANCELED')
      return requestError(request, 409, 'REQUEST_NOT_EDITABLE', 'The request is cancelled or closed');
    const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return requestError(request, 400, 'badParam', 'The body must be a JSON object');
    const changes: [string, string | null][] = [];
    for (const [key, v] of Object.entries(body)) {
      if (!CUSTOM_FIELD.test(key) || !Object.hasOwn(custom, key)) continue;
      const value = v && typeof v === 'object' ? (v as { value?: unknown }).value : undefined;
      if (value !== null && (typeof value !== 'string' || value.length > CUSTOM_VALUE_MAX))
        return requestError(request, 400, 'badParam', `${key}.value must be a string of at most 48 characters`);
      changes.push([key, value]);
    }
    for (const [key, value] of changes) custom[key] = value;
    forms.writes.push({ ...write, body });
    return undefined;
  };

  const notFound = (request: Request, what: string) => requestError(request, 404, 'notFound', `${what} not found`);
  const request_ = `${base}/travelrequest/v4/requests/:requestUuid`;
  const withRequest = (params: PathParams) => requestOf(String(params.requestUuid));

  return [
    http.get(request_, ({ request, params }) => {
      const travel = withRequest(params);
      if (!travel) return notFound(request, 'Request');
      const auth = authorize(request, travel.ownerId, false);
      if ('failure' in auth) return auth.failure;
      return HttpResponse.json(requestJson(travel), { headers: correlation(request) });
    }),

    http.put(request_, async ({ request, params }) => {
      const travel = withRequest(params);
      if (!travel) return notFound(request, 'Request');
      const auth = authorize(request, travel.ownerId, false);
      if ('failure' in auth) return auth.failure;
      const custom = forms.headers.get(travel.id)!;
      const refused = await put(request, travel, custom, { path: 'request', itemId: travel.id, ...auth });
      return refused ?? HttpResponse.json(requestJson(travel), { headers: correlation(request) });
    }),

    http.get(`${base}/travelrequest/v4/expenses/:expenseUuid`, ({ request, params }) => {
      const e = forms.expenses.get(String(params.expenseUuid));
      if (!e) return notFound(request, 'Expected expense');
      const auth = authorize(request, requestOf(e.requestUuid)!.ownerId, true);
      if ('failure' in auth) return auth.failure;
      return HttpResponse.json(expenseJson(e.id), { headers: correlation(request) });
    }),

    http.put(`${base}/travelrequest/v4/expenses/:expenseUuid`, async ({ request, params }) => {
      const e = forms.expenses.get(String(params.expenseUuid));
      if (!e) return notFound(request, 'Expected expense');
      const travel = requestOf(e.requestUuid)!;
      const auth = authorize(request, travel.ownerId, true);
      if ('failure' in auth) return auth.failure;
      const refused = await put(request, travel, e.custom, { path: 'expected-expense', itemId: e.id, ...auth });
      return refused ?? HttpResponse.json(expenseJson(e.id), { headers: correlation(request) });
    }),

    http.get(`${request_}/allocations/:allocationUuid`, ({ request, params }) => {
      const travel = withRequest(params);
      const a = forms.allocations.get(String(params.allocationUuid));
      if (!travel || a?.requestUuid !== travel.id) return notFound(request, 'Allocation');
      const auth = authorize(request, travel.ownerId, false);
      if ('failure' in auth) return auth.failure;
      return HttpResponse.json(allocationJson(a.id), { headers: correlation(request) });
    }),

    http.put(`${request_}/allocations/:allocationUuid`, async ({ request, params }) => {
      const travel = withRequest(params);
      const a = forms.allocations.get(String(params.allocationUuid));
      if (!travel || a?.requestUuid !== travel.id) return notFound(request, 'Allocation');
      const auth = authorize(request, travel.ownerId, false);
      if ('failure' in auth) return auth.failure;
      const refused = await put(request, travel, a.custom, { path: 'allocation', itemId: a.id, ...auth });
      return refused ?? HttpResponse.json(allocationJson(a.id), { headers: correlation(request) });
    }),

    // The simulator's travel-request forms (Concur's own form reads its database): one traveller's (?user=).
    http.get(`${base}/sandbox-ui/requests`, ({ request }) => {
      const user = new URL(request.url).searchParams.get('user') ?? SANDBOX_USER.id;
      return HttpResponse.json(
        concur.travelRequests
          .filter((r) => r.ownerId === user)
          .map((r) => ({
            ...requestJson(r),
            expenses: [...forms.expenses.values()]
              .filter((e) => e.requestUuid === r.id)
              .map((e) => ({
                ...expenseJson(e.id),
                allocations: [...forms.allocations.values()]
                  .filter((a) => a.expenseId === e.id)
                  .map((a) => allocationJson(a.id)),
              })),
          })),
      );
    }),
  ];
}
