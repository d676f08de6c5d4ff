// The fake Concur as msw handlers: OAuth grants, Expense v4 reports, entries and allocations, and Expense
// Entries v3, success paths and Concur's own validation. One description, used by node tests (setupServer),
// browser tests (setupWorker) and the running sandbox (getResponse).
import { http, HttpResponse, type PathParams } from 'msw';
import {
  SANDBOX_LIST,
  type Principal,
  type SandboxConcur,
  type SandboxCustomField,
  type SandboxExpense,
  type SandboxListItem,
} from './concur-state.ts';

const SOURCES = ['EA', 'MOB', 'OTHER', 'SE', 'TA', 'TR', 'UI'];
const REPORT_SOURCES = ['EA', 'MOB', 'OTHER', 'SE', 'TR', 'UI'];
const CUSTOM_FIELD = /^(custom([1-9]|[1-3]\d|40)|orgUnit[1-6])$/;
/** Statuses in which the report is still the employee's to edit. */
const EDITABLE = new Set(['A_NOTF', 'A_RESU']);

const oauthError = (status: number, code: number, error: string, description: string) =>
  HttpResponse.json({ code, error, error_description: description }, { status });

const expenseError = (
  request: Request,
  status: number,
  message: string,
  validationErrors: { id?: string; message: string; source?: string }[] = [],
) =>
  HttpResponse.json(
    {
      errorId: crypto.randomUUID(),
      errorMessage: message,
      httpStatus: String(status),
      path: new URL(request.url).pathname,
      timestamp: new Date().toISOString(),
      validationErrors,
    },
    { status, headers: correlation(request) },
  );

/** Concur echoes or mints a correlation id on every answer. */
const correlation = (request: Request) => ({
  'concur-correlationid': request.headers.get('concur-correlationid') ?? crypto.randomUUID(),
});

const customDataJson = (fields: SandboxCustomField[]) =>
  fields.map((f) => ({ id: f.id, value: f.value, isValid: f.isValid }));

function entryJson(e: SandboxExpense) {
  return {
    expenseId: e.expenseId,
    reportId: e.reportId,
    expenseType: e.expenseType,
    transactionAmount: e.transactionAmount,
    transactionDate: e.transactionDate,
    allocationState: e.allocationState ?? 'NOT_ALLOCATED',
    customData: customDataJson(e.customData),
  };
}

/** Validates a customData array as Concur does, and merges it by id into the stored fields. */
function mergeCustomData(request: Request, target: SandboxCustomField[], customData: unknown): Response | undefined {
  const fields = Array.isArray(customData)
    ? (customData as { id?: unknown; value?: unknown; isValid?: unknown }[])
    : [];
  for (const f of fields) {
    if (typeof f.id !== 'string' || !CUSTOM_FIELD.test(f.id)) {
      return expenseError(request, 400, 'Validation failed', [
        { id: String(f.id), message: `Unknown custom field ${String(f.id)}`, source: 'customData' },
      ]);
    }
    if (typeof f.value !== 'string' || f.value.length > 48) {
      return expenseError(request, 400, 'Validation failed', [
        { id: f.id, message: 'value must be a string of at most 48 characters', source: 'customData' },
      ]);
    }
  }
  // Concur merges customData by id: fields not named keep their values.
  for (const f of fields as { id: string; value: string; isValid?: boolean }[]) {
    const existing = target.find((c) => c.id === f.id);
    if (existing) Object.assign(existing, { value: f.value, isValid: f.isValid ?? true });
    else target.push({ id: f.id, value: f.value, isValid: f.isValid ?? true });
  }
  return undefined;
}

const readBody = async (request: Request) => (await request.json().catch(() => null)) as Record<string, unknown> | null;

export function concurHandlers(concur: SandboxConcur) {
  const base = concur.base;

  const listItemJson = (i: SandboxListItem) => ({
    id: i.id,
    code: i.code,
    shortCode: i.shortCode,
    value: i.value,
    parentId: i.parentId ?? null,
    level: i.level,
    lists: [{ id: SANDBOX_LIST.id, hasChildren: [...concur.listItems.values()].some((c) => c.parentId === i.id) }],
    isDeleted: i.isDeleted ?? false,
  });

  const listPage = (request: Request, listId: string, parentId: string | undefined) => {
    if (!concur.principalFor(request.headers.get('authorization')))
      return expenseError(request, 401, 'Invalid or expired access token');
    if (listId !== SANDBOX_LIST.id) return expenseError(request, 404, 'List not found');
    const url = new URL(request.url);
    const filter = url.searchParams.get('shortCodeOrValue');
    const m = filter ? (/^(eq|cp|sw|ew):(.*)$/.exec(filter) ?? ['', 'eq', filter]) : undefined;
    const test = (s: string) => {
      if (!m) return true;
      const [, op, v] = m as unknown as [string, string, string];
      const a = s.toLowerCase();
      const b = v.toLowerCase();
      return op === 'cp' ? a.includes(b) : op === 'sw' ? a.startsWith(b) : op === 'ew' ? a.endsWith(b) : a === b;
    };
    const all = [...concur.listItems.values()]
      .filter((i) => (parentId ? i.parentId === parentId : i.level === 1))
      .filter((i) => test(i.shortCode) || test(i.value))
      .sort((a, b) => a.value.localeCompare(b.value));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    return HttpResponse.json(
      {
        content: all.slice((page - 1) * 100, page * 100).map(listItemJson),
        page: { size: 100, totalElements: all.length, totalPages: Math.ceil(all.length / 100), number: page },
        links: [],
      },
      { headers: correlation(request) },
    );
  };
  const reportPath = `${base}/expensereports/v4/users/:userId/context/:contextType/reports/:reportId`;

  /** Authorises a users/{id}/context/{ctx} call on a report; answers the failure Concur would. */
  const authorize = (
    request: Request,
    params: PathParams,
  ): { failure: Response } | { principal: Principal; reportId: string } => {
    const principal = concur.principalFor(request.headers.get('authorization'));
    if (!principal) return { failure: expenseError(request, 401, 'Invalid or expired access token') };
    const report = concur.reports.get(String(params.reportId));
    if (!report) return { failure: expenseError(request, 404, 'Report not found') };
    if (!concur.mayAccess(principal, report.userId, String(params.userId), String(params.contextType))) {
      return { failure: expenseError(request, 403, 'Not permitted to access this report in this context') };
    }
    return { principal, reportId: report.reportId };
  };

  const editable = (reportId: string) => EDITABLE.has(concur.reports.get(reportId)!.approvalStatusId);

  const tokenBases = [...new Set([base, ...(concur.options.tokenBase ? [concur.options.tokenBase] : [])])];
  const tokenEndpoint: Parameters<typeof http.post>[1] = async ({ request }) => {
    // Concur refuses chunked bodies and a charset parameter on the form body (protocol sheet §4).
    if (request.headers.get('transfer-encoding')?.includes('chunked')) {
      return oauthError(400, 0, 'invalid_request', 'Chunked transfer encoding is not supported');
    }
    if (request.headers.get('content-type') !== 'application/x-www-form-urlencoded') {
      return oauthError(400, 0, 'invalid_request', 'Content-Type must be exactly application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(await request.text());
    const o = concur.options;
    if (!form.get('client_id')) return oauthError(400, 62, 'invalid_request', 'client_id is missing');
    if (!form.get('client_secret')) return oauthError(400, 63, 'invalid_request', 'client_secret is missing');
    if (!form.get('grant_type')) return oauthError(400, 65, 'invalid_request', 'grant_type is missing');
    if (form.get('client_id') !== o.clientId) return oauthError(401, 61, 'invalid_client', 'client not found');
    if (form.get('client_secret') !== o.clientSecret)
      return oauthError(401, 64, 'invalid_client', 'bad client credentials');
    let issued: ReturnType<SandboxConcur['redeemCode']>;
    switch (form.get('grant_type')) {
      case 'authorization_code':
        if (!form.get('code')) return oauthError(400, 101, 'invalid_request', 'code missing');
        if (!form.get('redirect_uri')) return oauthError(400, 102, 'invalid_request', 'redirect_uri was not supplied');
        if (form.get('redirect_uri') !== o.redirectUri)
          return oauthError(400, 104, 'invalid_grant', 'redirect_uri does not match the previous grant');
        issued = concur.redeemCode(form.get('code')!);
        if (!issued) return oauthError(400, 103, 'invalid_request', 'code is bad or expired');
        break;
      case 'refresh_token': {
        if (!form.get('refresh_token')) return oauthError(400, 106, 'invalid_request', 'refresh_token missing');
        const refreshed = concur.redeemRefreshToken(form.get('refresh_token')!);
        if (!refreshed) return oauthError(400, 108, 'invalid_grant', 'refresh token is bad or expired');
        issued = { ...refreshed, userId: '' };
        break;
      }
      case 'password': {
        if (form.get('credtype') !== 'authtoken')
          return oauthError(400, 120, 'invalid_request', 'the sandbox supports only credtype=authtoken');
        const company = concur.redeemCompanyRequestToken(form.get('username') ?? '', form.get('password') ?? '');
        if (!company) return oauthError(400, 5, 'invalid_grant', 'incorrect credentials');
        issued = { ...company, userId: '' };
        break;
      }
      default:
        return oauthError(400, 60, 'invalid_grant', 'grant not allowed for client');
    }
    return HttpResponse.json(
      {
        expires_in: String(issued.expiresIn),
        scope: 'expense.report.read expense.report.readwrite user.read',
        token_type: 'Bearer',
        access_token: issued.accessToken,
        refresh_token: issued.refreshToken,
        refresh_expires_in: issued.refreshExpiresAt,
        ...(issued.userId ? { id_token: idToken(issued.userId, o.clientId) } : {}),
        geolocation: base,
      },
      { headers: correlation(request) },
    );
  };

  return [
    // Tokens are requested at GLZ (or the base, as the sandbox and error-16 retries do), and answered the same.
    ...tokenBases.map((at) => http.post(`${at}/oauth2/v0/token`, tokenEndpoint)),

    http.get(reportPath, ({ request, params }) => {
      const auth = authorize(request, params);
      if ('failure' in auth) return auth.failure;
      const r = concur.reports.get(auth.reportId)!;
      return HttpResponse.json(
        {
          reportId: r.reportId,
          name: r.name,
          userId: r.userId,
          approvalStatusId: r.approvalStatusId,
          reportTotal: r.reportTotal,
          customData: customDataJson(r.customData),
        },
        { headers: correlation(request) },
      );
    }),

    http.patch(reportPath, async ({ request, params }) => {
      const auth = authorize(request, params);
      if ('failure' in auth) return auth.failure;
      const body = await readBody(request);
      if (!body || typeof body.reportSource !== 'string' || !REPORT_SOURCES.includes(body.reportSource)) {
        return expenseError(request, 400, 'Validation failed', [
          { id: 'reportSource', message: 'reportSource is required', source: 'reportSource' },
        ]);
      }
      if (!editable(auth.reportId))
        return expenseError(request, 403, 'The report is in workflow and cannot be changed by the employee');
      return (
        mergeCustomData(request, concur.reports.get(auth.reportId)!.customData, body.customData) ??
        new HttpResponse(null, { status: 204, headers: correlation(request) })
      );
    }),

    http.get(`${reportPath}/expenses/:expenseId`, ({ request, params }) => {
      const auth = authorize(request, params);
      if ('failure' in auth) return auth.failure;
      const e = concur.expenses.get(String(params.expenseId));
      if (e?.reportId !== auth.reportId) return expenseError(request, 404, 'Expense not found');
      return HttpResponse.json(entryJson(e), { headers: correlation(request) });
    }),

    http.patch(`${reportPath}/expenses/:expenseId`, async ({ request, params }) => {
      const auth = authorize(request, params);
      if ('failure' in auth) return auth.failure;
      const e = concur.expenses.get(String(params.expenseId));
      if (e?.reportId !== auth.reportId) return expenseError(request, 404, 'Expense not found');
      const body = await readBody(request);
      if (!body || typeof body.expenseSource !== 'string' || !SOURCES.includes(body.expenseSource)) {
        return expenseError(request, 400, 'Validation failed', [
          { id: 'expenseSource', message: 'expenseSource is required', source: 'expenseSource' },
        ]);
      }
      if (!editable(auth.reportId)) {
        return expenseError(
          request,
          403,
          'The report is in workflow: use /expensereports/v4/reports/{reportId}/expenses/{expenseId}',
        );
      }
      return (
        mergeCustomData(request, e.customData, body.customData) ??
        new HttpResponse(null, { status: 204, headers: correlation(request) })
      );
    }),

    // The submitted-report path: no user or context segment, and only these attributes may change.
    http.patch(`${base}/expensereports/v4/reports/:reportId/expenses/:expenseId`, async ({ request, params }) => {
      const principal = concur.principalFor(request.headers.get('authorization'));
      if (!principal) return expenseError(request, 401, 'Invalid or expired access token');
      const e = concur.expenses.get(String(params.expenseId));
      if (!e || e.reportId !== params.reportId) return expenseError(request, 404, 'Expense not found');
      if (!concur.mayChange(principal, e.userId))
        return expenseError(request, 403, 'Not permitted to change this expense');
      const body = await readBody(request);
      if (!body || typeof body.expenseSource !== 'string' || !SOURCES.includes(body.expenseSource)) {
        return expenseError(request, 400, 'Validation failed', [
          { id: 'expenseSource', message: 'expenseSource is required', source: 'expenseSource' },
        ]);
      }
      const extra = Object.keys(body).filter((k) => !['businessPurpose', 'customData', 'expenseSource'].includes(k));
      if (extra.length)
        return expenseError(
          request,
          400,
          'Validation failed',
          extra.map((k) => ({ id: k, message: `${k} cannot be changed on this path`, source: k })),
        );
      return (
        mergeCustomData(request, e.customData, body.customData) ??
        new HttpResponse(null, { status: 204, headers: correlation(request) })
      );
    }),

    http.get(`${reportPath}/allocations/:allocationId`, ({ request, params }) => {
      const auth = authorize(request, params);
      if ('failure' in auth) return auth.failure;
      const a = concur.allocations.get(String(params.allocationId));
      if (a?.reportId !== auth.reportId) return expenseError(request, 404, 'Allocation not found');
      return HttpResponse.json(
        {
          allocationId: a.allocationId,
          expenseId: a.expenseId,
          percentage: a.percentage,
          allocationAmount: a.allocationAmount,
          isSystemAllocation: false,
          customData: customDataJson(a.customData),
        },
        { headers: correlation(request) },
      );
    }),

    http.patch(`${reportPath}/allocations/:allocationId`, async ({ request, params }) => {
      const auth = authorize(request, params);
      if ('failure' in auth) return auth.failure;
      const a = concur.allocations.get(String(params.allocationId));
      if (a?.reportId !== auth.reportId) return expenseError(request, 404, 'Allocation not found');
      const body = await readBody(request);
      const allocation = body?.allocation as { customData?: unknown } | undefined;
      if (!allocation || !Array.isArray(allocation.customData)) {
        return expenseError(request, 400, 'Validation failed', [
          { id: 'allocation', message: 'allocation.customData is required', source: 'allocation' },
        ]);
      }
      // The allocation's own expense, and only it: another id would change that expense's allocations too.
      if (!Array.isArray(body!.expenseIds) || body!.expenseIds.length !== 1 || body!.expenseIds[0] !== a.expenseId) {
        return expenseError(request, 400, 'Validation failed', [
          {
            id: 'expenseIds',
            message: 'expenseIds must name the allocated expense, and only it',
            source: 'expenseIds',
          },
        ]);
      }
      if (!editable(auth.reportId))
        return expenseError(request, 403, 'The report is in workflow and cannot be changed by the employee');
      return (
        mergeCustomData(request, a.customData, allocation.customData) ??
        new HttpResponse(null, { status: 204, headers: correlation(request) })
      );
    }),

    http.get(`${base}/list/v4/lists/:listId/children`, ({ request, params }) =>
      listPage(request, String(params.listId), undefined),
    ),
    http.get(`${base}/list/v4/lists/:listId/items/:itemId/children`, ({ request, params }) =>
      listPage(request, String(params.listId), String(params.itemId)),
    ),
    http.get(`${base}/list/v4/items/:itemId`, ({ request, params }) => {
      if (!concur.principalFor(request.headers.get('authorization')))
        return expenseError(request, 401, 'Invalid or expired access token');
      const item = concur.listItems.get(String(params.itemId));
      return item
        ? HttpResponse.json(listItemJson(item), { headers: correlation(request) })
        : expenseError(request, 404, 'List item not found');
    }),

    // Request v4: the caller's travel requests (protocol sheet §7); correlation ids must be UUIDs.
    http.get(`${base}/travelrequest/v4/requests`, ({ request }) => {
      const cid = request.headers.get('concur-correlationid');
      if (cid && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(cid)) {
        return HttpResponse.json(
          { errorCode: 'invalidUuid', errorMessage: 'concur-correlationid must be a UUID' },
          { status: 400 },
        );
      }
      const principal = concur.principalFor(request.headers.get('authorization'));
      if (!principal)
        return HttpResponse.json({ errorCode: 'invalidUser', errorMessage: 'Invalid token' }, { status: 401 });
      const url = new URL(request.url);
      const limit = url.searchParams.get('limit') ?? '10';
      if (!/^\d+$/.test(limit) || Number(limit) > 100)
        return HttpResponse.json({ errorCode: 'badParam', errorMessage: 'limit must be 1 to 100' }, { status: 400 });
      const owner = url.searchParams.get('userId') ?? (principal.kind === 'user' ? principal.userId : '');
      if (!concur.mayChange(principal, owner))
        return HttpResponse.json({ errorCode: 'permissionDenied', errorMessage: 'Not permitted' }, { status: 403 });
      const view = url.searchParams.get('view') ?? 'ALL';
      const data = concur.travelRequests
        .filter((r) => r.ownerId === owner && (view !== 'ACTIVE' || r.status.code !== 'CANCELED'))
        .slice(0, Number(limit))
        .map((r) => ({
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
        }));
      return HttpResponse.json({ data, operations: [] }, { headers: correlation(request) });
    }),

    // Concur's own web form reads its database directly; the simulator stands in for it with this view.
    http.get(`${base}/sandbox-ui/reports`, () =>
      HttpResponse.json(
        [...concur.reports.values()].map((r) => ({
          ...r,
          expenses: [...concur.expenses.values()]
            .filter((e) => e.reportId === r.reportId)
            .map((e) => ({
              ...entryJson(e),
              allocations: [...concur.allocations.values()].filter((a) => a.expenseId === e.expenseId),
            })),
        })),
      ),
    ),
  ];
}

/** An ID token as Concur shapes one (a JWT whose sub is the user); the sandbox's signature is a placeholder. */
function idToken(sub: string, clientId: string): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const now = Math.floor(Date.now() / 1000);
  const header = part({ alg: 'RS256', typ: 'JWT' });
  const claims = part({
    sub,
    'concur.type': 'user',
    iss: 'https://sandbox.concur.invalid',
    aud: clientId,
    exp: now + 3600,
  });
  return `${header}.${claims}.sandbox`;
}
