// Expense Entries v3, for legacy v1 launches: read the entry and write one custom field with the company token.
import { z } from 'zod';
import type { ConcurClient, ConcurToken } from './client.ts';
import type { V1Session } from '../store/store.ts';
import { emptyAsNull, type ItemView } from './expense.ts';
import { ConcurUnavailable, withCorrelation } from '../errors.ts';
import type { FieldWrite } from '../../src/contract/api.ts';

const EntryV3 = z.looseObject({
  ExpenseTypeName: z.string().nullish(),
  TransactionAmount: z.number().nullish(),
  TransactionCurrencyCode: z.string().nullish(),
  TransactionDate: z.string().nullish(),
});
const CustomFieldV3 = z.looseObject({ Value: z.string().nullish() }).nullish();

/** Expense v3 names custom fields Custom1..Custom40; a flow may spell them as v4 does (custom12). */
export const v3FieldName = (field: string) => field.replace(/^custom(\d+)$/i, 'Custom$1');

export class ExpenseEntriesV3 {
  private readonly client: ConcurClient;
  private readonly opts: { apiBase?: string; tokenBase: string };
  constructor(client: ConcurClient, opts: { apiBase?: string; tokenBase: string }) {
    this.client = client;
    this.opts = opts;
  }

  #url(session: V1Session, token: ConcurToken): URL {
    const base = this.opts.apiBase ?? token.geolocation ?? this.opts.tokenBase;
    return new URL(`${base}/api/v3.0/expense/entries/${encodeURIComponent(session.entryId)}`);
  }

  async read(session: V1Session, token: ConcurToken, signal?: AbortSignal): Promise<ItemView> {
    const { json, correlationId } = await this.client.getJson(
      'expense.v3.entry.get',
      this.#url(session, token),
      token,
      signal,
    );
    const e = EntryV3.safeParse(json);
    if (!e.success)
      throw withCorrelation(
        new ConcurUnavailable('Concur sent an expense we could not read. Please try again.'),
        correlationId,
      );
    const custom = CustomFieldV3.safeParse((json as Record<string, unknown>)[session.fieldId]);
    return {
      summary: {
        kind: 'ENTRY',
        expenseType: e.data.ExpenseTypeName ?? '',
        amount:
          e.data.TransactionAmount != null && e.data.TransactionCurrencyCode
            ? { value: e.data.TransactionAmount, currency: e.data.TransactionCurrencyCode }
            : null,
        date: e.data.TransactionDate ? e.data.TransactionDate.slice(0, 10) : null,
      },
      reportName: null,
      submitted: false,
      currentValue: custom.success ? emptyAsNull(custom.data?.Value) : null,
      values: Object.fromEntries(
        Object.entries(json as Record<string, unknown>)
          .filter(([k]) => /^Custom\d+$/i.test(k))
          .map(([k, v]) => {
            const f = CustomFieldV3.safeParse(v);
            return [k.toLowerCase(), f.success ? emptyAsNull(f.data?.Value) : null];
          }),
      ),
    };
  }

  /** PUT of a partial entry: only the custom fields written (protocol sheet §2), all in the one call. */
  write(
    session: V1Session,
    token: ConcurToken,
    writes: readonly FieldWrite[],
    signal?: AbortSignal,
  ): Promise<{ correlationId: string }> {
    const body = Object.fromEntries(writes.map((w) => [v3FieldName(w.field), { Value: w.value }]));
    return this.client.send('expense.v3.entry.put', 'put', this.#url(session, token), token, body, signal);
  }
}
