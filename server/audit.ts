// The audit log for administrators: write-back attempts since a moment, as lines a person reads (or JSON).
import type { Config } from './config.ts';
import { openStore } from './store/open.ts';
import type { WriteRecord } from './store/store.ts';
import { COMPANY_ID, DEFAULT_COMPANY_ID } from './companies/record.ts';

/** --since takes a date (2026-11-01), a moment (2026-11-01T08:00:00Z), or a span back from now (24h, 7d, 30m). */
export function parseSince(text: string | undefined, now: number): number | undefined {
  if (!text) return now - 86_400_000;
  const span = /^(\d+)([mhd])$/.exec(text.trim());
  if (span) return now - Number(span[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[span[2] as 'm' | 'h' | 'd'];
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : text.trim());
  return Number.isNaN(t) ? undefined : t;
}

export function formatRecord(r: WriteRecord): string {
  const fields = r.fields.map((f) => `${f.field}: ${f.old ?? '(empty)'} -> ${f.new}`).join('; ');
  return (
    `${new Date(r.at).toISOString()}  ${r.result.padEnd(7)}  ${r.company ? `[${r.company}] ` : ''}${r.companyDomain} ` +
    `${r.userId}  ${r.item}  ${fields}` +
    (r.correlationId ? `  [${r.correlationId}]` : '') +
    (r.error ? `  (${r.error})` : '')
  );
}

export interface AuditReport {
  ok: boolean;
  lines: string[];
}

export async function runAudit(config: Config, args: string[], now = Date.now()): Promise<AuditReport> {
  const at = args.indexOf('--since');
  const since = parseSince(at >= 0 ? args[at + 1] : undefined, now);
  if (since === undefined)
    return {
      ok: false,
      lines: ['--since takes a date (2026-11-01), a moment (2026-11-01T08:00:00Z) or a span (24h, 7d).'],
    };
  // --company <id>: one registered company's records (its id, from npm run company -- list); "default": the
  // configuration's own company's. The audit log is read without the store's key, so ids, not domains.
  const which = args.indexOf('--company');
  const company = which >= 0 ? args[which + 1] : undefined;
  if (which >= 0 && !(company === DEFAULT_COMPANY_ID || (company && COMPANY_ID.test(company))))
    return {
      ok: false,
      lines: ['--company takes a company id (npm run company -- list shows them), or default for the configured one.'],
    };
  if (config.store.kind === 'memory') {
    return {
      ok: false,
      lines: [
        'STORE_URL=memory keeps no audit log: run the command with the STORE_URL (and TOKEN_ENCRYPTION_KEY) ' +
          'the server uses.',
      ],
    };
  }
  const store = await openStore(config.store, { existing: true });
  try {
    const all = await store.writesSince(since);
    const records = company === undefined ? all : all.filter((r) => (r.company ?? DEFAULT_COMPANY_ID) === company);
    if (args.includes('--json')) return { ok: true, lines: records.map((r) => JSON.stringify(r)) };
    return {
      ok: true,
      lines: records.length ? records.map(formatRecord) : [`No write-back since ${new Date(since).toISOString()}.`],
    };
  } finally {
    await store.close();
  }
}
