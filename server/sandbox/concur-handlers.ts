// The fake Concur as msw handlers: OAuth token exchange and Expense v4 entries, success paths only.
// One description, used by node tests (setupServer), browser tests (setupWorker) and the running sandbox.
import { http, HttpResponse } from 'msw';
import type { SandboxConcur, SandboxExpense } from './concur-state.js';

const EXPENSE_SOURCES = ['EA', 'MOB', 'OTHER', 'SE', 'TA', 'TR', 'UI'];
const CUSTOM_FIELD = /^(custom([1-9]|[1-3]\d|40)|orgUnit[1-6])$/;

const oauthError = (status: number, code: number, error: string, description: string) =>
  HttpResponse.json({ code, error, error_description: description }, { status });

const expenseError = (status: number, message: string, path: string, validationErrors: { id?: string; message: string; source?: string }[] = []) =>
  HttpResponse.json(
    { errorId: crypto.randomUUID(), errorMessage: message, httpStatus: String(status), path, timestamp: new Date().toISOString(), validationErrors },
    { status },
  );

/** Concur echoes or mints a correlation id on every answer. */
const correlation = (request: Request) => ({ 'concur-correlationid': request.headers.get('concur-correlationid') ?? crypto.randomUUID() });

function entryJson(e: SandboxExpense) {
  return {
    expenseId: e.expenseId,
    reportId: e.reportId,
    expenseType: e.expenseType,
    transactionAmount: e.transactionAmount,
    transactionDate: e.transactionDate,
    allocationState: 'NOT_ALLOCATED',
    customData: e.customData.map((f) => ({ id: f.id, value: f.value, isValid: f.isValid })),
  };
}

export function concurHandlers(concur: SandboxConcur) {
  const base = concur.base;
  const entryPath = `${base}/expensereports/v4/users/:userId/context/:contextType/reports/:reportId/expenses/:expenseId`;

  const findEntry = (request: Request, params: Record<string, string | readonly string[] | undefined>) => {
    const user = concur.userForAuthorization(request.headers.get('authorization'));
    if (!user) return { failure: expenseError(401, 'Invalid or expired access token', new URL(request.url).pathname) };
    const e = concur.expenses.get(String(params.expenseId));
    if (!e || e.reportId !== params.reportId || e.userId !== params.userId) {
      return { failure: expenseError(404, 'Expense not found', new URL(request.url).pathname) };
    }
    if (user !== e.userId || params.contextType !== 'TRAVELER') {
      return { failure: expenseError(403, 'Not permitted to access this expense', new URL(request.url).pathname) };
    }
    return { expense: e };
  };

  return [
    http.post(`${base}/oauth2/v0/token`, async ({ request }) => {
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
      if (form.get('client_secret') !== o.clientSecret) return oauthError(401, 64, 'invalid_client', 'bad client credentials');
      if (form.get('grant_type') !== 'authorization_code') return oauthError(400, 60, 'invalid_grant', 'grant not allowed for client');
      if (!form.get('code')) return oauthError(400, 101, 'invalid_request', 'code missing');
      if (!form.get('redirect_uri')) return oauthError(400, 102, 'invalid_request', 'redirect_uri was not supplied');
      if (form.get('redirect_uri') !== o.redirectUri) return oauthError(400, 104, 'invalid_grant', 'redirect_uri does not match the previous grant');
      const issued = concur.redeemCode(form.get('code')!);
      if (!issued) return oauthError(400, 103, 'invalid_request', 'code is bad or expired');
      return HttpResponse.json(
        {
          expires_in: String(issued.expiresIn),
          scope: 'expense.report.read expense.report.readwrite user.read',
          token_type: 'Bearer',
          access_token: issued.accessToken,
          refresh_token: issued.refreshToken,
          geolocation: base,
        },
        { headers: correlation(request) },
      );
    }),

    http.get(entryPath, ({ request, params }) => {
      const found = findEntry(request, params);
      if (found.failure) return found.failure;
      return HttpResponse.json(entryJson(found.expense), { headers: correlation(request) });
    }),

    http.patch(entryPath, async ({ request, params }) => {
      const found = findEntry(request, params);
      if (found.failure) return found.failure;
      const path = new URL(request.url).pathname;
      const body = (await request.json().catch(() => null)) as { expenseSource?: unknown; customData?: unknown } | null;
      if (!body || typeof body !== 'object') return expenseError(400, 'Request body must be a JSON object', path);
      if (typeof body.expenseSource !== 'string' || !EXPENSE_SOURCES.includes(body.expenseSource)) {
        return expenseError(400, 'Validation failed', path, [{ id: 'expenseSource', message: 'expenseSource is required', source: 'expenseSource' }]);
      }
      const fields = Array.isArray(body.customData) ? (body.customData as { id?: unknown; value?: unknown; isValid?: unknown }[]) : [];
      for (const f of fields) {
        if (typeof f.id !== 'string' || !CUSTOM_FIELD.test(f.id)) {
          return expenseError(400, 'Validation failed', path, [{ id: String(f.id), message: `Unknown custom field ${String(f.id)}`, source: 'customData' }]);
        }
        if (typeof f.value !== 'string' || f.value.length > 48) {
          return expenseError(400, 'Validation failed', path, [{ id: f.id, message: 'value must be a string of at most 48 characters', source: 'customData' }]);
        }
      }
      // Concur merges customData by id: fields not named keep their values.
      for (const f of fields as { id: string; value: string; isValid?: boolean }[]) {
        const existing = found.expense.customData.find((c) => c.id === f.id);
        if (existing) Object.assign(existing, { value: f.value, isValid: f.isValid ?? true });
        else found.expense.customData.push({ id: f.id, value: f.value, isValid: f.isValid ?? true });
      }
      return new HttpResponse(null, { status: 204, headers: correlation(request) });
    }),

    // Concur's own web form reads its database directly; the simulator stands in for it with these views.
    http.get(`${base}/sandbox-ui/expenses`, () => HttpResponse.json([...concur.expenses.values()].map(entryJson))),
    http.get(`${base}/sandbox-ui/expenses/:expenseId`, ({ params }) => {
      const e = concur.expenses.get(String(params.expenseId));
      return e ? HttpResponse.json(entryJson(e)) : HttpResponse.json({ errorMessage: 'Expense not found' }, { status: 404 });
    }),
  ];
}
