// The fake Concur's data: one company, one traveller, an expense report, and the OAuth codes and tokens it issued.
// Browser-safe (no Node imports): the same state backs msw in node tests, browser tests and the running sandbox.

export interface SandboxCustomField {
  id: string;
  value: string | null;
  isValid: boolean;
}

export interface SandboxExpense {
  expenseId: string;
  reportId: string;
  userId: string;
  expenseType: { id: string; name: string; code: string };
  transactionAmount: { value: number; currencyCode: string };
  transactionDate: string;
  customData: SandboxCustomField[];
}

export interface SandboxOptions {
  /** Where the fake Concur answers, without a trailing slash, e.g. https://us.api.concursolutions.com */
  base: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  now?: () => number;
}

export const SANDBOX_USER = {
  id: '6f0e2a4b-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
  name: 'Jane Traveller',
  employeeId: 'EMP-00042',
  companyDomain: 'sandbox.example.com',
} as const;

export const SANDBOX_REPORT = { id: '764428DD6A664AF0BFCB', name: 'November client visit' } as const;

/** The Launch URL field on the simulated expense form. */
export const SANDBOX_PROJECT_FIELD = { id: 'custom12', label: 'Project' } as const;

const CODE_TTL_MS = 5 * 60 * 1000;
const TOKEN_TTL_S = 3600;

const randomId = () => crypto.randomUUID().replace(/-/g, '').toUpperCase();

export class SandboxConcur {
  readonly options: SandboxOptions;
  readonly expenses = new Map<string, SandboxExpense>();
  readonly #codes = new Map<string, { userId: string; expiresAt: number; used: boolean }>();
  readonly #tokens = new Map<string, { userId: string; expiresAt: number }>();
  readonly #now: () => number;

  constructor(options: SandboxOptions) {
    this.options = options;
    this.#now = options.now ?? Date.now;
    this.reset();
  }

  get base(): string {
    return this.options.base;
  }

  /** Back to the seeded report: a taxi ride with an empty Project field. */
  reset(): void {
    this.expenses.clear();
    this.#codes.clear();
    this.#tokens.clear();
    this.addExpense({
      expenseId: '84FCBB92BD4E5342B849DAC29FD163A1',
      reportId: SANDBOX_REPORT.id,
      userId: SANDBOX_USER.id,
      expenseType: { id: 'TAXIX', name: 'Taxi', code: 'TAXIX' },
      transactionAmount: { value: 42.5, currencyCode: 'EUR' },
      transactionDate: '2026-11-12',
      customData: [
        { id: 'custom1', value: 'Client meeting', isValid: true },
        { id: SANDBOX_PROJECT_FIELD.id, value: null, isValid: true },
      ],
    });
  }

  addExpense(expense: SandboxExpense): SandboxExpense {
    this.expenses.set(expense.expenseId, structuredClone(expense));
    return expense;
  }

  /** The Expense v4 URL Concur would send as item_url for this entry. */
  entryUrl(e: Pick<SandboxExpense, 'userId' | 'reportId' | 'expenseId'>): string {
    return `${this.base}/expensereports/v4/users/${e.userId}/context/TRAVELER/reports/${e.reportId}/expenses/${e.expenseId}`;
  }

  /** What Concur does when the user clicks the button: a one-time code for the logged-in user. */
  issueAuthCode(userId: string, code = `sbx-code-${randomId()}`): string {
    this.#codes.set(code, { userId, expiresAt: this.#now() + CODE_TTL_MS, used: false });
    return code;
  }

  /** Redeems a code once; undefined when unknown, expired or already used. */
  redeemCode(code: string): { accessToken: string; refreshToken: string; expiresIn: number; userId: string } | undefined {
    const entry = this.#codes.get(code);
    if (!entry || entry.used || entry.expiresAt <= this.#now()) return undefined;
    entry.used = true;
    const accessToken = `sbx-at-${randomId()}`;
    this.#tokens.set(accessToken, { userId: entry.userId, expiresAt: this.#now() + TOKEN_TTL_S * 1000 });
    return { accessToken, refreshToken: `sbx-rt-${randomId()}`, expiresIn: TOKEN_TTL_S, userId: entry.userId };
  }

  /** The user a Bearer header belongs to, when the token is known and not expired. */
  userForAuthorization(header: string | null): string | undefined {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    const entry = token ? this.#tokens.get(token) : undefined;
    return entry && entry.expiresAt > this.#now() ? entry.userId : undefined;
  }

  /** The value of a custom field, as the expense form would show it. */
  fieldValue(expenseId: string, fieldId: string): string | null | undefined {
    return this.expenses.get(expenseId)?.customData.find((f) => f.id === fieldId)?.value;
  }
}
