// Dates, amounts, numbers and percentages in the user's locale with Intl; Concur's data can surprise (an unknown
// currency, an odd date), so anything Intl refuses is shown as it came rather than failing.
import type { Money } from '../contract/api.ts';

const safely = (format: () => string, raw: string) => {
  try {
    return format();
  } catch {
    return raw;
  }
};

export const formatMoney = (m: Money | null, locale: string) =>
  m
    ? safely(
        () => new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(m.value),
        `${m.value} ${m.currency}`,
      )
    : '';

/** A YYYY-MM-DD date (or a timestamp starting with one), as the calendar day it names. */
export const formatDate = (d: string | null, locale: string) =>
  d
    ? safely(
        () =>
          new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
            new Date(`${d.slice(0, 10)}T00:00:00Z`),
          ),
        d,
      )
    : '';

/** Two YYYY-MM-DD dates as one range of calendar days (10–13 Nov 2026); one alone as itself. */
export const formatDateRange = (start: string | null | undefined, end: string | null | undefined, locale: string) => {
  if (!start || !end) return formatDate(start ?? end ?? null, locale);
  const day = (d: string) => new Date(`${d.slice(0, 10)}T00:00:00Z`);
  return safely(
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).formatRange(day(start), day(end)),
    `${start} – ${end}`,
  );
};

export const formatNumber = (n: number, locale: string) =>
  safely(() => new Intl.NumberFormat(locale, { maximumFractionDigits: 6 }).format(n), String(n));

export const formatPercent = (n: number, locale: string) =>
  safely(() => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(n / 100), `${n} %`);
