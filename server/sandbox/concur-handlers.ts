// The fake Concur as msw handlers: OAuth grants and revocation, Expense v4 reports, entries, allocations and form
// fields, success paths and Concur's own validation, per Concur's rules of today (protocol sheet §4, §5, §13). One
// description, used by node tests (setupServer), browser tests (setupWorker) and the running sandbox (getResponse).
import { http, HttpResponse, type PathParams } from 'msw';
import {
  SANDBOX_EXTRA_FIELDS,
  SANDBOX_FIELDS,
  SANDBOX_LIST,
  SANDBOX_USER,
  type Principal,
  type SandboxConcur,
  type SandboxCustomField,
  type SandboxExpense,
  type SandboxFieldAccess,
  type SandboxListItem,
  type SandboxReport,
} from './concur-state.ts';
import { CONCUR_REVOKE_HOST } from '../concur/hosts.ts';
import { travelRequestHandlers, travelRequestJson } from './request-handlers.ts';

const SOURCES = ['EA', 'MOB', 'OTHER', 'SE', 'TA', 'TR', 'UI'];
const REPORT_SOURCES = ['EA', 'MOB', 'OTHER', 'SE', 'TR', 'UI'];
const CUSTOM_FIELD = /^(custom([1-9]|[1-3]\d|40)|orgUnit[1-6])$/;
/** Statuses in which the report is still the employee's to edit. */
const EDITABLE = new Set(['A_NOTF', 'A_RESU']);
const PAYMENT_STATUS_NAMES = { P_NOTP: 'Not Paid', P_PAID: 'Paid' } as const;
/** Concur's limit for any customData value, whatever the field's own maximumLength. */
const CUSTOM_VALUE_MAX = 48;
const CUSTOM_FIELD_COUNT = 40;
const REJECTED_REFUSED = 'isExpenseRejected would move the expense to an addendum report; the sandbox refuses it';
/** The labels the simulated forms give their Launch URL fields; every other custom field is "Custom n". */
const HEADER_LABELS: Record<string, string> = { [SANDBOX_FIELDS.HEADER.id]: SANDBOX_FIELDS.HEADER.label };
const ENTRY_LABELS: Record<string, string> = Object.fromEntries(
  [SANDBOX_FIELDS.ENTRY, SANDBOX_EXTRA_FIELDS.trip, SANDBOX_EXTRA_FIELDS.clientProject].map((f) => [f.id, f.label]),
);

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

/** A 400 (or 403) whose single validation error names the offending attribute, as Concur's do. */
const invalid = (request: Request, id: string, message: string, status = 400, source = id) =>
  expenseError(request, status, 'Validation failed', [{ id, message, source }]);

const noContent = (request: Request) => new HttpResponse(null, { status: 204, headers: correlation(request) });

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
    ...(e.businessPurpose === undefined ? {} : { businessPurpose: e.businessPurpose }),
    customData: customDataJson(e.customData),
  };
}

interface CustomDatumIn {
  id?: unknown;
  value?: unknown;
  isValid?: unknown;
}
const customDataIn = (customData: unknown) => (Array.isArray(customData) ? (customData as CustomDatumIn[]) : []);

/**
 * Validates a customData array as Concur does: known field ids, string values of at most 48 characters, and, where
 * the form's field access is given (entry and header forms), no read-only or hidden field and no value longer than
 * the field's maximumLength. Allocations have no form fields, so they get the first two checks only.
 */
function checkCustomData(
  request: Request,
  customData: unknown,
  access?: ReadonlyMap<string, SandboxFieldAccess>,
): Response | undefined {
  for (const f of customDataIn(customData)) {
    if (typeof f.id !== 'string' || !CUSTOM_FIELD.test(f.id))
      return invalid(request, String(f.id), `Unknown custom field ${String(f.id)}`, 400, 'customData');
    const form = access?.get(f.id.toLowerCase());
    if (form && form.access !== 'RW')
      return invalid(request, f.id, `${f.id} is ${form.access === 'RO' ? 'read-only' : 'hidden'}`, 403, 'customData');
    if (typeof f.value !== 'string' || f.value.length > CUSTOM_VALUE_MAX)
      return invalid(request, f.id, 'value must be a string of at most 48 characters', 400, 'customData');
    if (form?.maximumLength !== undefined && f.value.length > form.maximumLength)
      return invalid(request, f.id, `value must be at most ${form.maximumLength} characters`, 400, 'customData');
  }
  return undefined;
}

/** Concur merges customData by id: fields not named keep their values. Call after checkCustomData. */
function applyCustomData(target: SandboxCustomField[], customData: unknown): void {
  for (const f of customDataIn(customData) as { id: string; value: string; isValid?: boolean }[]) {
    const existing = target.find((c) => c.id === f.id);
    if (existing) Object.assign(existing, { value: f.value, isValid: f.isValid ?? true });
    else target.push({ id: f.id, value: f.value, isValid: f.isValid ?? true });
  }
}

/** How one body attribute must look; a message when it does not. */
type Rule = (value: unknown) => string | undefined;
const text =
  (max?: number): Rule =>
  (v) =>
    typeof v !== 'string'
      ? 'must be a string'
      : max !== undefined && v.length > max
        ? `must be at most ${max} characters`
        : undefined;
const flag: Rule = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const oneOf =
  (values: readonly string[]): Rule =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.join(', ')}`;
const array: Rule = (v) => (Array.isArray(v) ? undefined : 'must be an array');

/** The short paths accept only the attributes their schema lists: anything else is a validation error naming it. */
function checkAttributes(request: Request, body: Record<string, unknown>, rules: Record<string, Rule>) {
  const extra = Object.keys(body).filter((k) => !Object.hasOwn(rules, k));
  if (extra.length)
    return expenseError(
      request,
      400,
      'Validation failed',
      extra.map((k) => ({ id: k, message: `${k} cannot be changed on this path`, source: k })),
    );
  for (const [k, v] of Object.entries(body)) {
    const problem = rules[k]!(v);
    if (problem) return invalid(request, k, `${k} ${problem}`);
  }
  return undefined;
}

const ENTRY_RULES: Record<string, Rule> = {
  expenseSource: oneOf(SOURCES),
  customData: array,
  businessPurpose: text(64),
  isPaperReceiptReceived: flag,
};
const SHORT_HEADER_RULES: Record<string, Rule> = {
  businessPurpose: text(64),
  comment: text(),
  customData: array,
  name: text(),
  isPaperReceiptsReceived: flag,
};

const paid = (report: SandboxReport) => report.paymentStatusId === 'P_PAID';
const refusePaid = (request: Request) =>
  expenseError(request, 400, 'The report has been paid and can no longer be changed');

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
    let issued: NonNullable<ReturnType<SandboxConcur['redeemRefreshToken']>> | undefined;
    // Whom the ID token names: the user of a code, the company of a request token; a refresh returns none.
    let identity: Principal | undefined;
    switch (form.get('grant_type')) {
      case 'authorization_code': {
        if (!form.get('code')) return oauthError(400, 101, 'invalid_request', 'code missing');
        if (!form.get('redirect_uri')) return oauthError(400, 102, 'invalid_request', 'redirect_uri was not supplied');
        if (form.get('redirect_uri') !== o.redirectUri)
          return oauthError(400, 104, 'invalid_grant', 'redirect_uri does not match the previous grant');
        const redeemed = concur.redeemCode(form.get('code')!);
        if (!redeemed) return oauthError(400, 103, 'invalid_request', 'code is bad or expired');
        issued = redeemed;
        identity = { kind: 'user', userId: redeemed.userId };
        break;
      }
      case 'refresh_token': {
        if (!form.get('refresh_token')) return oauthError(400, 106, 'invalid_request', 'refresh_token missing');
        const refreshed = concur.redeemRefreshToken(form.get('refresh_token')!);
        if (!refreshed) return oauthError(400, 108, 'invalid_grant', 'refresh token is bad or expired');
        issued = refreshed;
        break;
      }
      case 'password': {
        if (form.get('credtype') !== 'authtoken')
          return oauthError(400, 120, 'invalid_request', 'the sandbox supports only credtype=authtoken');
        const [companyId, requestToken] = [form.get('username') ?? '', form.get('password') ?? ''];
        if (concur.requestTokenIsForAnotherClient(requestToken, form.get('client_id')!))
          return oauthError(400, 136, 'invalid_request', 'auth token was not issued for you');
        issued = concur.redeemCompanyRequestToken(companyId, requestToken, form.get('client_id')!);
        if (!issued) return oauthError(400, 5, 'invalid_grant', 'incorrect credentials');
        identity = { kind: 'company', companyId };
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
        ...(identity ? { id_token: idToken(identity, o.clientId) } : {}),
        geolocation: base,
      },
      { headers: correlation(request) },
    );
  };

  // Revoking a connection ends every token of the caller's principal: the user's, or the whole company's.
  const revokeEndpoint: Parameters<typeof http.delete>[1] = ({ request }) => {
    const principal = concur.principalFor(request.headers.get('authorization'));
    if (!principal) return expenseError(request, 401, 'Invalid or expired access token');
    concur.revoke(principal);
    return noContent(request);
  };

  /** A short-path write (no user or context segment): Concur takes a company JWT only. */
  const companyOnly = (request: Request): { failure: Response } | { principal: Principal } => {
    const principal = concur.principalFor(request.headers.get('authorization'));
    if (!principal) return { failure: expenseError(request, 401, 'Invalid or expired access token') };
    if (principal.kind !== 'company')
      return { failure: expenseError(request, 403, 'Only a company JWT may call this endpoint; a user token may not') };
    return { principal };
  };

  const formField = (n: number, labels: Record<string, string>) => {
    const form = concur.fieldAccess.get(`custom${n}`);
    return {
      fieldId: `Custom${n}`,
      label: labels[`custom${n}`] ?? `Custom ${n}`,
      dataType: 'VARCHAR',
      controlType: 'edit',
      maximumLength: form?.maximumLength ?? CUSTOM_VALUE_MAX,
      fieldAccess: form?.access ?? 'RW',
      isRequired: false,
      isExternalList: false,
    };
  };

  /** The form-fields GETs: the report's owner, a delegate or the company; the query parameter names the form. */
  const formFields = (request: Request, params: PathParams, query: 'policyId' | 'expenseTypeId') => {
    const principal = concur.principalFor(request.headers.get('authorization'));
    if (!principal) return expenseError(request, 401, 'Invalid or expired access token');
    if (!new URL(request.url).searchParams.get(query)) return invalid(request, query, `${query} is required`);
    const report = concur.reports.get(String(params.reportId));
    if (!report) return expenseError(request, 404, 'Report not found');
    if (query === 'expenseTypeId' && concur.expenses.get(String(params.expenseId))?.reportId !== report.reportId)
      return expenseError(request, 404, 'Expense not found');
    if (!concur.mayChange(principal, report.userId))
      return expenseError(request, 403, 'Not permitted to access this report');
    const labels = query === 'policyId' ? HEADER_LABELS : ENTRY_LABELS;
    const fields = Array.from({ length: CUSTOM_FIELD_COUNT }, (_, i) => formField(i + 1, labels));
    return HttpResponse.json(concur.formFieldsShape === 'object' ? { formFields: fields } : fields, {
      headers: correlation(request),
    });
  };

  return [
    // Tokens are requested at GLZ (or the base, as the sandbox and error-16 retries do), and answered the same.
    ...tokenBases.map((at) => http.post(`${at}/oauth2/v0/token`, tokenEndpoint)),
    // Revocation is documented at us.api whatever the geolocation; the sandbox answers at its base too.
    ...[...new Set([base, CONCUR_REVOKE_HOST])].map((at) =>
      http.delete(`${at}/app-mgmt/v0/connections`, revokeEndpoint),
    ),

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
          paymentStatusId: r.paymentStatusId,
          paymentStatusName: PAYMENT_STATUS_NAMES[r.paymentStatusId],
          policyId: r.policyId,
          reportTotal: r.reportTotal,
          ...(r.businessPurpose === undefined ? {} : { businessPurpose: r.businessPurpose }),
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
      const report = concur.reports.get(auth.reportId)!;
      if (paid(report)) return refusePaid(request);
      if (!editable(auth.reportId))
        return expenseError(request, 403, 'The report is in workflow and cannot be changed by the employee');
      const problem = checkCustomData(request, body.customData, concur.fieldAccess);
      if (problem) return problem;
      applyCustomData(report.customData, body.customData);
      concur.writes.push({ path: 'header', principal: auth.principal, itemId: report.reportId, body });
      return noContent(request);
    }),

    // Submitted or unsubmitted, until Paid: a company JWT and a short list of attributes, reportSource not among them.
    http.patch(`${base}/expensereports/v4/reports/:reportId`, async ({ request, params }) => {
      const auth = companyOnly(request);
      if ('failure' in auth) return auth.failure;
      const report = concur.reports.get(String(params.reportId));
      if (!report) return expenseError(request, 404, 'Report not found');
      const body = await readBody(request);
      if (!body || typeof body !== 'object' || Array.isArray(body))
        return invalid(request, 'body', 'the body must be a JSON object');
      const problem =
        checkAttributes(request, body, SHORT_HEADER_RULES) ??
        checkCustomData(request, body.customData, concur.fieldAccess);
      if (problem) return problem;
      if (paid(report)) return refusePaid(request);
      applyCustomData(report.customData, body.customData);
      if (typeof body.name === 'string') report.name = body.name;
      if (typeof body.businessPurpose === 'string') report.businessPurpose = body.businessPurpose;
      concur.writes.push({ path: 'header-short', principal: auth.principal, itemId: report.reportId, body });
      return noContent(request);
    }),

    // Identity v4 answers company tokens only, and only for the company's own users (protocol sheet §7).
    http.get(`${base}/profile/identity/v4/Users/:userId`, ({ request, params }) => {
      const auth = companyOnly(request);
      if ('failure' in auth) return auth.failure;
      const userId = String(params.userId);
      if (auth.principal.kind !== 'company' || !concur.companyUsers.get(auth.principal.companyId)?.has(userId))
        return HttpResponse.json(
          { detail: 'User not found', status: '404' },
          { status: 404, headers: correlation(request) },
        );
      return HttpResponse.json(
        { id: userId, active: true, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] },
        { headers: correlation(request) },
      );
    }),
    http.get(`${base}/expensereports/v4/reports/:reportId/formFields`, ({ request, params }) =>
      formFields(request, params, 'policyId'),
    ),
    http.get(`${base}/expensereports/v4/reports/:reportId/expenses/:expenseId/formFields`, ({ request, params }) =>
      formFields(request, params, 'expenseTypeId'),
    ),

    http.get(`${reportPath}/expenses/:expenseId`, ({ request, params }) => {
      const auth = authorize(request, params);
      if ('failure' in auth) return auth.failure;
      const e = concur.expenses.get(String(params.expenseId));
      if (e?.reportId !== auth.reportId) return expenseError(request, 404, 'Expense not found');
      return HttpResponse.json(entryJson(e), { headers: correlation(request) });
    }),

    // Concur removed the user-context entry PATCH (2024-09-04): entries change on the short path only.
    http.patch(`${reportPath}/expenses/:expenseId`, ({ request }) =>
      expenseError(
        request,
        404,
        'No such endpoint: entries are changed with PATCH /expensereports/v4/reports/{reportId}/expenses/{expenseId} and a company token',
      ),
    ),

    // The only entry write: a company JWT, expenseSource, and only these attributes; submitted reports too, until Paid.
    http.patch(`${base}/expensereports/v4/reports/:reportId/expenses/:expenseId`, async ({ request, params }) => {
      const auth = companyOnly(request);
      if ('failure' in auth) return auth.failure;
      const e = concur.expenses.get(String(params.expenseId));
      if (!e || e.reportId !== params.reportId) return expenseError(request, 404, 'Expense not found');
      const body = await readBody(request);
      // true would move the expense to an addendum report, which the sandbox does not model.
      if (body && typeof body === 'object' && 'isExpenseRejected' in body)
        return expenseError(request, 400, REJECTED_REFUSED, [
          { id: 'isExpenseRejected', message: REJECTED_REFUSED, source: 'isExpenseRejected' },
        ]);
      if (!body || typeof body.expenseSource !== 'string' || !SOURCES.includes(body.expenseSource))
        return invalid(request, 'expenseSource', 'expenseSource is required');
      const problem =
        checkAttributes(request, body, ENTRY_RULES) ?? checkCustomData(request, body.customData, concur.fieldAccess);
      if (problem) return problem;
      if (paid(concur.reports.get(e.reportId)!)) return refusePaid(request);
      applyCustomData(e.customData, body.customData);
      if (typeof body.businessPurpose === 'string') e.businessPurpose = body.businessPurpose;
      concur.writes.push({ path: 'entry', principal: auth.principal, itemId: e.expenseId, body });
      return noContent(request);
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
      const problem = checkCustomData(request, allocation.customData);
      if (problem) return problem;
      applyCustomData(a.customData, allocation.customData);
      concur.writes.push({ path: 'allocation', principal: auth.principal, itemId: a.allocationId, body });
      return noContent(request);
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
        .map((r) => travelRequestJson(concur, r));
      return HttpResponse.json({ data, operations: [] }, { headers: correlation(request) });
    }),

    // A travel request's header, expected expenses and allocations (Concur Request launches).
    ...travelRequestHandlers(concur),

    // Concur's own web form reads its database directly; the simulator stands in for it with this view.
    // The simulator's list: one traveller's reports (?user=, Jane by default).
    http.get(`${base}/sandbox-ui/reports`, ({ request }) =>
      HttpResponse.json(
        [...concur.reports.values()]
          .filter((r) => r.userId === (new URL(request.url).searchParams.get('user') ?? SANDBOX_USER.id))
          .map((r) => ({
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

/** An ID token as Concur shapes one (a JWT whose sub is the user or company); the signature is a placeholder. */
function idToken(principal: Principal, clientId: string): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const now = Math.floor(Date.now() / 1000);
  const header = part({ alg: 'RS256', typ: 'JWT' });
  const claims = part({
    sub: principal.kind === 'user' ? principal.userId : principal.companyId,
    'concur.type': principal.kind,
    iss: 'https://sandbox.concur.invalid',
    aud: clientId,
    exp: now + 3600,
  });
  return `${header}.${claims}.sandbox`;
}
