// The fake Concur's data: a company, a traveller and her delegate, three reports (one unsubmitted, one submitted,
// one paid) with entries and allocations, the OAuth codes and tokens it issued, and the writes it accepted.
// Browser-safe (no Node imports): the same state backs msw in node tests, browser tests and the running sandbox.
// The travel requests' forms (Concur Request launches) are in request-state.ts.
import { SandboxRequestForms } from './request-state.ts';

export interface SandboxCustomField {
  id: string;
  value: string | null;
  isValid: boolean;
}

export interface SandboxMoney {
  value: number;
  currencyCode: string;
}

export interface SandboxReport {
  reportId: string;
  userId: string;
  name: string;
  approvalStatusId: string;
  /** After P_PAID Concur refuses every change to the report, on any path. */
  paymentStatusId: 'P_NOTP' | 'P_PAID';
  /** Names the policy whose form fields the header shows (GET .../formFields?policyId=). */
  policyId: string;
  reportTotal: SandboxMoney;
  businessPurpose?: string;
  customData: SandboxCustomField[];
}

export interface SandboxExpense {
  expenseId: string;
  reportId: string;
  userId: string;
  expenseType: { id: string; name: string; code: string };
  transactionAmount: SandboxMoney;
  transactionDate: string;
  allocationState?: 'NOT_ALLOCATED' | 'PARTIALLY_ALLOCATED' | 'FULLY_ALLOCATED';
  businessPurpose?: string;
  customData: SandboxCustomField[];
}

export interface SandboxAllocation {
  allocationId: string;
  expenseId: string;
  reportId: string;
  percentage: number;
  allocationAmount: SandboxMoney;
  customData: SandboxCustomField[];
}

export interface SandboxOptions {
  /** Where the fake Concur answers, without a trailing slash, e.g. https://us.api.concursolutions.com */
  base: string;
  /** Where tokens are requested too, when not at `base` (Concur's GLZ for a real configuration). */
  tokenBase?: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  now?: () => number;
}

export const SANDBOX_USER = {
  id: '6f0e2a4b-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
  name: 'Jane Traveller',
  loginId: 'jane.traveller@sandbox.example.com',
  employeeId: 'EMP-00042',
  companyDomain: 'sandbox.example.com',
} as const;

/** A delegate who may prepare Jane's reports. */
export const SANDBOX_DELEGATE = {
  id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  name: 'Dan Delegate',
  loginId: 'dan.delegate@sandbox.example.com',
} as const;

/** The sandbox company, and the Concur administrator who connects it (App Center's userId). */
export const SANDBOX_COMPANY = {
  id: 'c0ffee00-1234-4abc-9def-0123456789ab',
  adminId: 'ad0a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b',
} as const;

/**
 * A second Concur company with its own traveller and report, for the sandbox's second connector company (Globex):
 * the simulator switches between Jane (the sandbox company) and Gina (Globex).
 */
export const SANDBOX_GLOBEX = {
  companyId: '9100be11-5e5e-4a0b-8c0d-0e0f10111213',
  adminId: '9100ad11-0000-4a0b-8c0d-0e0f10111213',
  companyDomain: 'globex.sandbox.example',
  displayName: 'Globex',
  user: { id: '9100a5e5-6a6a-4b7c-8d9e-0f1a2b3c4d5e', name: 'Gina Globex', employeeId: 'GLX-0007' },
  report: { id: 'A0B1C2D3E4F5061728394A5B', name: 'December trade fair' },
  expense: '5E6F708192A3B4C5D6E7F8091A2B3C4D',
} as const;

export const SANDBOX_REPORT = { id: '764428DD6A664AF0BFCB', name: 'November client visit' } as const;
export const SANDBOX_SUBMITTED_REPORT = { id: '9A1B2C3D4E5F60718293', name: 'October conference' } as const;
/** Approved and paid: Concur refuses every change to it. */
export const SANDBOX_PAID_REPORT = { id: '3C4D5E6F708192A3B4C5', name: 'September supplier visit' } as const;
/** The policy of every sandbox report. */
export const SANDBOX_POLICY_ID = 'sbx-policy-1';

export interface SandboxListItem {
  id: string;
  code: string;
  shortCode: string;
  value: string;
  parentId?: string;
  level: number;
  isDeleted?: boolean;
}

export interface SandboxTravelRequest {
  id: string;
  requestId: string;
  ownerId: string;
  name: string;
  startDate: string;
  endDate: string;
  city: string;
  countryCode: string;
  status: { code: string; name: string };
}

/** Jane's travel requests (Request v4's `id`s); Frankfurt's form has expected expenses (request-state.ts). */
export const SANDBOX_TRAVEL_REQUESTS = {
  frankfurt: { id: 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607', requestId: '3KX9', name: 'Frankfurt client visit' },
  lisbon: { id: 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f608', requestId: '3KXA', name: 'Lisbon customer summit' },
  zurich: { id: 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f609', requestId: '3KW2', name: 'Zürich partner workshop' },
} as const;

/** A connected list in the sandbox: regions, then client projects within each. */
export const SANDBOX_LIST = { id: 'b7c1d2e3-f405-4a6b-9c8d-0e1f2a3b4c5d', name: 'Client projects by region' } as const;

/** The Launch URL fields on the simulated forms, per level. */
export const SANDBOX_FIELDS = {
  HEADER: { id: 'custom5', label: 'Cost centre' },
  ENTRY: { id: 'custom12', label: 'Project' },
  ALLOCATION: { id: 'custom9', label: 'Project' },
} as const;
/** Further entry-level Launch URL fields, each searching another source (see server/sandbox/fields.ts). */
export const SANDBOX_EXTRA_FIELDS = {
  trip: { id: 'custom14', label: 'Travel request' },
  clientProject: { id: 'custom15', label: 'Client project' },
} as const;

/** The fields the example flows write (examples/fields.json), all on the taxi entry. */
export const SANDBOX_FLOW_FIELDS = [
  'custom16',
  'custom17',
  'custom18',
  'custom19',
  'custom20',
  'custom21',
  'custom22',
  'custom23',
] as const;

export const SANDBOX_IDS = {
  taxi: '84FCBB92BD4E5342B849DAC29FD163A1',
  hotel: '29EE3C62F5D844458828A5C1086072D1',
  hotelAllocationA: '058713001E2CD943824280D9275FDC3F',
  hotelAllocationB: '7C2A1B55E1F04F0B9A3D4E5F60718293',
  train: 'E3A1B2C3D4E5F60718293A4B5C6D7E8F',
  /** The paid report's only entry. */
  supplierDinner: 'B5C6D7E8F90A1B2C3D4E5F6071829304',
} as const;

const CODE_TTL_MS = 5 * 60 * 1000;
const TOKEN_TTL_S = 3600;
const REQUEST_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const REFRESH_TTL_MS = 180 * 24 * 60 * 60 * 1000;

const randomId = () => crypto.randomUUID().replace(/-/g, '').toUpperCase();
const field = (id: string, value: string | null = null): SandboxCustomField => ({ id, value, isValid: true });

/** Who a token speaks for: a user, or the whole company. */
export type Principal = { kind: 'user'; userId: string } | { kind: 'company'; companyId: string };

const samePrincipal = (a: Principal, b: Principal) =>
  a.kind === 'user' ? b.kind === 'user' && a.userId === b.userId : b.kind === 'company' && a.companyId === b.companyId;

/** One PATCH the fake Concur accepted, so a test can see which token kind wrote what, on which path. */
export interface SandboxWrite {
  /**
   * entry: PATCH /reports/{r}/expenses/{e}; header: the user-context header PATCH; header-short: PATCH /reports/{r};
   * allocation: the user-context allocation PATCH. entry-user-context is never recorded now that Concur removed that
   * path (it answers 404), so a test can assert it stays absent.
   */
  path: 'entry' | 'entry-user-context' | 'header' | 'header-short' | 'allocation';
  principal: Principal;
  /** The expense, report or allocation id. */
  itemId: string;
  body: unknown;
}

/** How a form field is shown to the caller (Concur's fieldAccess: read-write, read-only, hidden). */
export interface SandboxFieldAccess {
  access: 'RW' | 'RO' | 'HD';
  maximumLength?: number;
}

export class SandboxConcur {
  readonly options: SandboxOptions;
  readonly reports = new Map<string, SandboxReport>();
  readonly expenses = new Map<string, SandboxExpense>();
  readonly allocations = new Map<string, SandboxAllocation>();
  /** delegate user id -> owners they may act for */
  readonly delegates = new Map<string, Set<string>>();
  /** Each Concur company's users, as Identity v4 answers a company token (the sandbox company has Jane and Dan). */
  readonly companyUsers = new Map<string, Set<string>>([
    [SANDBOX_COMPANY.id, new Set([SANDBOX_USER.id, SANDBOX_DELEGATE.id])],
    [SANDBOX_GLOBEX.companyId, new Set([SANDBOX_GLOBEX.user.id])],
  ]);
  readonly listItems = new Map<string, SandboxListItem>();
  readonly travelRequests: SandboxTravelRequest[] = [];
  /** The travel requests' Launch URL fields, expected expenses and allocations, and the Request v4 writes. */
  readonly requestForms = new SandboxRequestForms();
  readonly #codes = new Map<string, { userId: string; expiresAt: number; used: boolean }>();
  readonly #requestTokens = new Map<string, { companyId: string; clientId: string; expiresAt: number }>();
  readonly #tokens = new Map<string, { principal: Principal; expiresAt: number }>();
  readonly #refreshTokens = new Map<string, { principal: Principal; expiresAt: number }>();
  readonly #now: () => number;
  /** How many tokens each grant type issued; tests check that no token is asked for while one is valid. */
  readonly grants = { authorization_code: 0, refresh_token: 0, password: 0 };
  /** Every PATCH accepted since the last reset, oldest first. */
  readonly writes: SandboxWrite[] = [];
  /**
   * Fields a test made read-only, hidden or shorter, keyed by lower-case field id ('custom12'); any other field is
   * read-write with Concur's 48 characters. The form-fields GETs report it and the entry and header PATCHes enforce it.
   */
  readonly fieldAccess = new Map<string, SandboxFieldAccess>();
  /** The documented form-fields schema is { formFields: [...] } but its example a bare array; Concur's example wins. */
  formFieldsShape: 'array' | 'object' = 'array';

  constructor(options: SandboxOptions) {
    this.options = options;
    this.#now = options.now ?? Date.now;
    this.reset();
  }

  get base(): string {
    return this.options.base;
  }

  /**
   * Back to the seeded reports, with every Launch URL field empty, no writes recorded and every field read-write.
   * Issued codes and tokens stay valid.
   */
  reset(): void {
    for (const m of [this.reports, this.expenses, this.allocations, this.delegates, this.listItems, this.fieldAccess])
      m.clear();
    this.travelRequests.length = 0;
    this.writes.length = 0;
    this.formFieldsShape = 'array';
    this.#seedListAndRequests();
    this.requestForms.reset(this.travelRequests);
    this.delegates.set(SANDBOX_DELEGATE.id, new Set([SANDBOX_USER.id]));
    this.#seedGlobex();
    const user = SANDBOX_USER.id;
    this.reports.set(SANDBOX_REPORT.id, {
      reportId: SANDBOX_REPORT.id,
      userId: user,
      name: SANDBOX_REPORT.name,
      approvalStatusId: 'A_NOTF',
      paymentStatusId: 'P_NOTP',
      policyId: SANDBOX_POLICY_ID,
      reportTotal: { value: 352.5, currencyCode: 'EUR' },
      customData: [field('custom1', 'Client visit Frankfurt'), field(SANDBOX_FIELDS.HEADER.id)],
    });
    this.addExpense({
      expenseId: SANDBOX_IDS.taxi,
      reportId: SANDBOX_REPORT.id,
      userId: user,
      expenseType: { id: 'TAXIX', name: 'Taxi', code: 'TAXIX' },
      transactionAmount: { value: 42.5, currencyCode: 'EUR' },
      transactionDate: '2026-11-12',
      allocationState: 'NOT_ALLOCATED',
      customData: [
        field('custom1', 'Client meeting'),
        field(SANDBOX_FIELDS.ENTRY.id),
        field(SANDBOX_EXTRA_FIELDS.trip.id),
        field(SANDBOX_EXTRA_FIELDS.clientProject.id),
        ...SANDBOX_FLOW_FIELDS.map((id) => field(id)),
      ],
    });
    this.addExpense({
      expenseId: SANDBOX_IDS.hotel,
      reportId: SANDBOX_REPORT.id,
      userId: user,
      expenseType: { id: 'LODNG', name: 'Hotel', code: 'LODNG' },
      transactionAmount: { value: 310, currencyCode: 'EUR' },
      transactionDate: '2026-11-11',
      allocationState: 'FULLY_ALLOCATED',
      customData: [field(SANDBOX_FIELDS.ENTRY.id)],
    });
    this.allocations.set(SANDBOX_IDS.hotelAllocationA, {
      allocationId: SANDBOX_IDS.hotelAllocationA,
      expenseId: SANDBOX_IDS.hotel,
      reportId: SANDBOX_REPORT.id,
      percentage: 60,
      allocationAmount: { value: 186, currencyCode: 'EUR' },
      customData: [field(SANDBOX_FIELDS.ALLOCATION.id)],
    });
    this.allocations.set(SANDBOX_IDS.hotelAllocationB, {
      allocationId: SANDBOX_IDS.hotelAllocationB,
      expenseId: SANDBOX_IDS.hotel,
      reportId: SANDBOX_REPORT.id,
      percentage: 40,
      allocationAmount: { value: 124, currencyCode: 'EUR' },
      customData: [field(SANDBOX_FIELDS.ALLOCATION.id)],
    });
    this.reports.set(SANDBOX_SUBMITTED_REPORT.id, {
      reportId: SANDBOX_SUBMITTED_REPORT.id,
      userId: user,
      name: SANDBOX_SUBMITTED_REPORT.name,
      approvalStatusId: 'A_PEND',
      paymentStatusId: 'P_NOTP',
      policyId: SANDBOX_POLICY_ID,
      reportTotal: { value: 89, currencyCode: 'EUR' },
      customData: [field(SANDBOX_FIELDS.HEADER.id)],
    });
    this.addExpense({
      expenseId: SANDBOX_IDS.train,
      reportId: SANDBOX_SUBMITTED_REPORT.id,
      userId: user,
      expenseType: { id: 'TRAIN', name: 'Train', code: 'TRAIN' },
      transactionAmount: { value: 89, currencyCode: 'EUR' },
      transactionDate: '2026-10-20',
      allocationState: 'NOT_ALLOCATED',
      customData: [field(SANDBOX_FIELDS.ENTRY.id)],
    });
    this.reports.set(SANDBOX_PAID_REPORT.id, {
      reportId: SANDBOX_PAID_REPORT.id,
      userId: user,
      name: SANDBOX_PAID_REPORT.name,
      approvalStatusId: 'A_APPR',
      paymentStatusId: 'P_PAID',
      policyId: SANDBOX_POLICY_ID,
      reportTotal: { value: 64.8, currencyCode: 'EUR' },
      customData: [field(SANDBOX_FIELDS.HEADER.id)],
    });
    this.addExpense({
      expenseId: SANDBOX_IDS.supplierDinner,
      reportId: SANDBOX_PAID_REPORT.id,
      userId: user,
      expenseType: { id: 'BUSML', name: 'Business Meal', code: 'BUSML' },
      transactionAmount: { value: 64.8, currencyCode: 'EUR' },
      transactionDate: '2026-09-17',
      allocationState: 'NOT_ALLOCATED',
      customData: [field(SANDBOX_FIELDS.ENTRY.id)],
    });
  }

  #seedListAndRequests(): void {
    const item = (
      id: string,
      shortCode: string,
      value: string,
      level: number,
      parent?: SandboxListItem,
      isDeleted = false,
    ) => {
      const it: SandboxListItem = {
        id,
        shortCode,
        code: parent ? `${parent.code}-${shortCode}` : shortCode,
        value,
        level,
        parentId: parent?.id,
        isDeleted,
      };
      this.listItems.set(id, it);
      return it;
    };
    const eu = item('0d7b8c61-1a2b-4c3d-8e4f-5a6b7c8d9e01', 'EU', 'Europe', 1);
    const am = item('0d7b8c61-1a2b-4c3d-8e4f-5a6b7c8d9e02', 'AM', 'Americas', 1);
    item('1e8c9d72-2b3c-4d4e-9f50-6b7c8d9e0f11', 'DB', 'Deutsche Bahn rollout', 2, eu);
    item('1e8c9d72-2b3c-4d4e-9f50-6b7c8d9e0f12', 'ALZ', 'Allianz claims platform', 2, eu);
    item('1e8c9d72-2b3c-4d4e-9f50-6b7c8d9e0f13', 'NOK', 'Nokia network audit', 2, eu, true);
    item('1e8c9d72-2b3c-4d4e-9f50-6b7c8d9e0f21', 'ITAU', 'Banco Itaú payments', 2, am);
    item('1e8c9d72-2b3c-4d4e-9f50-6b7c8d9e0f22', 'MTL', 'Montréal office opening', 2, am);
    const req = (
      { id, requestId, name }: (typeof SANDBOX_TRAVEL_REQUESTS)[keyof typeof SANDBOX_TRAVEL_REQUESTS],
      startDate: string,
      endDate: string,
      city: string,
      countryCode: string,
      code: string,
      statusName: string,
    ) =>
      this.travelRequests.push({
        id,
        requestId,
        ownerId: SANDBOX_USER.id,
        name,
        startDate,
        endDate,
        city,
        countryCode,
        status: { code, name: statusName },
      });
    const { frankfurt, lisbon, zurich } = SANDBOX_TRAVEL_REQUESTS;
    req(frankfurt, '2026-11-10', '2026-11-13', 'Frankfurt', 'DE', 'APPROVED', 'Approved');
    req(lisbon, '2026-12-02', '2026-12-05', 'Lisbon', 'PT', 'SUBMITTED', 'Submitted');
    req(zurich, '2026-10-05', '2026-10-06', 'Zürich', 'CH', 'CANCELED', 'Canceled');
  }

  /** Gina's report at Globex: one flight with the Launch URL field, for the second connector company. */
  #seedGlobex(): void {
    const { user, report, expense } = SANDBOX_GLOBEX;
    this.reports.set(report.id, {
      reportId: report.id,
      userId: user.id,
      name: report.name,
      approvalStatusId: 'A_NOTF',
      paymentStatusId: 'P_NOTP',
      policyId: SANDBOX_POLICY_ID,
      reportTotal: { value: 418.2, currencyCode: 'EUR' },
      customData: [field('custom1', 'Trade fair Milan'), field(SANDBOX_FIELDS.HEADER.id)],
    });
    this.addExpense({
      expenseId: expense,
      reportId: report.id,
      userId: user.id,
      expenseType: { id: 'AIRFR', name: 'Airfare', code: 'AIRFR' },
      transactionAmount: { value: 418.2, currencyCode: 'EUR' },
      transactionDate: '2026-12-01',
      allocationState: 'NOT_ALLOCATED',
      customData: [field('custom1', 'Milan trade fair'), field(SANDBOX_FIELDS.ENTRY.id)],
    });
  }

  addExpense(expense: SandboxExpense): SandboxExpense {
    this.expenses.set(expense.expenseId, structuredClone(expense));
    return expense;
  }

  #reportUrl(reportId: string, asUser: string, context: string): string {
    const report = this.reports.get(reportId)!;
    // The user segment names the report's owner; the context says whether the caller is the owner or a delegate.
    void asUser;
    return `${this.base}/expensereports/v4/users/${report.userId}/context/${context}/reports/${reportId}`;
  }

  /** The Expense v4 URL Concur would send as item_url for an entry. */
  entryUrl(e: Pick<SandboxExpense, 'userId' | 'reportId' | 'expenseId'>, context = 'TRAVELER'): string {
    return `${this.#reportUrl(e.reportId, e.userId, context)}/expenses/${e.expenseId}`;
  }

  reportUrl(reportId: string, context = 'TRAVELER'): string {
    return this.#reportUrl(reportId, '', context);
  }

  allocationUrl(allocationId: string, context = 'TRAVELER'): string {
    const a = this.allocations.get(allocationId)!;
    return `${this.#reportUrl(a.reportId, '', context)}/allocations/${allocationId}`;
  }

  /** What Concur does when the user clicks the button: a one-time code for the logged-in user. */
  issueAuthCode(userId: string, code = `sbx-code-${randomId()}`): string {
    this.#codes.set(code, { userId, expiresAt: this.#now() + CODE_TTL_MS, used: false });
    return code;
  }

  /**
   * What a Concur administrator generates for the company token: valid 24 hours, reusable within them, and only by
   * the app it was generated for (another client's exchange gets error 136).
   */
  issueCompanyRequestToken(companyId: string = SANDBOX_COMPANY.id, clientId: string = this.options.clientId): string {
    const token = `sbx-req-${randomId()}`;
    this.#requestTokens.set(token, { companyId, clientId, expiresAt: this.#now() + REQUEST_TOKEN_TTL_MS });
    return token;
  }

  #issue(principal: Principal) {
    const accessToken = `sbx-at-${randomId()}`;
    const refreshToken = `sbx-rt-${randomId()}`;
    const now = this.#now();
    this.#tokens.set(accessToken, { principal, expiresAt: now + TOKEN_TTL_S * 1000 });
    this.#refreshTokens.set(refreshToken, { principal, expiresAt: now + REFRESH_TTL_MS });
    return {
      accessToken,
      refreshToken,
      expiresIn: TOKEN_TTL_S,
      refreshExpiresAt: Math.floor((now + REFRESH_TTL_MS) / 1000),
    };
  }

  /** Redeems a code once; undefined when unknown, expired or already used. */
  redeemCode(code: string) {
    const entry = this.#codes.get(code);
    if (!entry || entry.used || entry.expiresAt <= this.#now()) return undefined;
    entry.used = true;
    this.grants.authorization_code += 1;
    return { ...this.#issue({ kind: 'user', userId: entry.userId }), userId: entry.userId };
  }

  /** A refresh token is good once: Concur may rotate it, and the sandbox always does. */
  redeemRefreshToken(refreshToken: string) {
    const entry = this.#refreshTokens.get(refreshToken);
    if (!entry || entry.expiresAt <= this.#now()) return undefined;
    this.#refreshTokens.delete(refreshToken);
    this.grants.refresh_token += 1;
    return this.#issue(entry.principal);
  }

  /** Whether a request token exists but was generated for another app (Concur's error 136). */
  requestTokenIsForAnotherClient(requestToken: string, clientId: string): boolean {
    const entry = this.#requestTokens.get(requestToken);
    return entry !== undefined && entry.clientId !== clientId;
  }

  /** Company tokens for a request token of this company and client; undefined when unknown, expired or not theirs. */
  redeemCompanyRequestToken(companyId: string, requestToken: string, clientId: string = this.options.clientId) {
    const entry = this.#requestTokens.get(requestToken);
    if (entry?.companyId !== companyId || entry.clientId !== clientId || entry.expiresAt <= this.#now())
      return undefined;
    this.grants.password += 1;
    return this.#issue({ kind: 'company', companyId });
  }

  /**
   * What DELETE /app-mgmt/v0/connections does: every refresh and access token of this principal (a user, or the
   * whole company for a company token) stops working at once.
   */
  revoke(principal: Principal): void {
    for (const tokens of [this.#tokens, this.#refreshTokens]) {
      for (const [token, entry] of tokens) if (samePrincipal(entry.principal, principal)) tokens.delete(token);
    }
  }

  /** The App Center's Disconnect, at Concur's side: the company's tokens are revoked. */
  disconnectCompany(companyId: string = SANDBOX_COMPANY.id): void {
    this.revoke({ kind: 'company', companyId });
  }

  /** Revokes every refresh token of every principal, as if every connection had been lost. */
  revokeRefreshTokens(): void {
    this.#refreshTokens.clear();
  }

  /** Ends every access token early, as if Concur had revoked them. */
  expireAccessTokens(): void {
    for (const t of this.#tokens.values()) t.expiresAt = 0;
  }

  /** Who a Bearer header speaks for, when the token is known and not expired. */
  principalFor(header: string | null): Principal | undefined {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    const entry = token ? this.#tokens.get(token) : undefined;
    return entry && entry.expiresAt > this.#now() ? entry.principal : undefined;
  }

  /** May this principal read and write this owner's report in this context? */
  mayAccess(principal: Principal, ownerId: string, pathUserId: string, context: string): boolean {
    if (principal.kind === 'company') return true;
    if (pathUserId !== ownerId) return false;
    if (context === 'TRAVELER') return principal.userId === ownerId;
    if (context === 'PROXY') return this.delegates.get(principal.userId)?.has(ownerId) ?? false;
    return false;
  }

  /** Whether a principal may change anything on this owner's reports, whatever the path (submitted-report calls). */
  mayChange(principal: Principal, ownerId: string): boolean {
    return (
      principal.kind === 'company' ||
      principal.userId === ownerId ||
      (this.delegates.get(principal.userId)?.has(ownerId) ?? false)
    );
  }

  /** The value of a custom field on an entry, as the expense form would show it. */
  fieldValue(expenseId: string, fieldId: string): string | null | undefined {
    return this.expenses.get(expenseId)?.customData.find((f) => f.id === fieldId)?.value;
  }

  headerFieldValue(reportId: string, fieldId: string): string | null | undefined {
    return this.reports.get(reportId)?.customData.find((f) => f.id === fieldId)?.value;
  }

  allocationFieldValue(allocationId: string, fieldId: string): string | null | undefined {
    return this.allocations.get(allocationId)?.customData.find((f) => f.id === fieldId)?.value;
  }
}
