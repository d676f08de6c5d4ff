// Context filters: rules from configuration that compare a catalog column with the launch context, so a value
// that does not apply (a project closed before the transaction date, another company's cost centre) is listed
// greyed with the reason, or hidden.
import { z } from 'zod';
import type { SearchContext } from './source.js';
import type { CatalogRow } from './catalog.js';

export const CONTEXT_KEYS = ['date', 'expenseType', 'employeeId', 'companyDomain', 'loggedInUserId', 'reportOwnerUserId'] as const;
const template = z.string().refine(
  (t) => [...t.matchAll(/\{(\w+)\}/g)].every((m) => (CONTEXT_KEYS as readonly string[]).includes(m[1]!)),
  `may use only ${CONTEXT_KEYS.map((k) => `{${k}}`).join(', ')}`,
);

export const ContextFilterConfig = z
  .object({
    /** The catalog column to look at. */
    column: z.string().min(1),
    /** The column must equal this (a literal or a {context} template), be on or before it, or on or after it. */
    equals: template.optional(),
    onOrBefore: template.optional(),
    onOrAfter: template.optional(),
    /** What happens to a value the rule does not let through. */
    otherwise: z.enum(['inactive', 'hide']).default('inactive'),
    /** Shown to the user for an inactive value; {value} is the column's value. */
    reason: z.string().min(1).default('not available for this expense'),
  })
  .strict()
  .refine((f) => [f.equals, f.onOrBefore, f.onOrAfter].filter((v) => v !== undefined).length === 1, 'give exactly one of equals, onOrBefore, onOrAfter');
export type ContextFilterConfig = z.infer<typeof ContextFilterConfig>;

/** The wizard's narrowing rule ("within" a step's pick) is a filter on {within}, which only code can write. */
type TemplateKey = (typeof CONTEXT_KEYS)[number] | 'within';

/** A rule built by code, not read from the file: it may insist on its context value. */
export type FilterRule = ContextFilterConfig & {
  /** Without its context value the rule fails (instead of not applying): rows with a value in the column are hidden. */
  requiresContext?: boolean;
};

/**
 * A rule that keeps only rows whose column is the code picked in an earlier wizard step, or is empty (a row for
 * every parent). With no pick (the parent step hidden or skipped) only the rows for every parent remain.
 */
export const withinFilter = (column: string): FilterRule => ({ column, equals: '{within}', otherwise: 'hide', reason: '', requiresContext: true });

/** A context value filled into a template, or undefined when the context lacks it (the rule then does not apply). */
function resolve(t: string, ctx: SearchContext): string | undefined {
  let missing = false;
  const value = t.replace(/\{(\w+)\}/g, (_, key: TemplateKey) => {
    const v = ctx[key];
    if (!v) missing = true;
    return v ?? '';
  });
  return missing ? undefined : value;
}

export interface FilterVerdict {
  hidden: boolean;
  /** Why the value is greyed, when it is. */
  inactive?: string;
}

/**
 * Applies every rule: a failed hide rule hides the row whatever else applies; otherwise the first failed rule's
 * reason greys it. Empty cells pass (no restriction), and so does a rule whose context value is not known for
 * this launch (a report header has no transaction date).
 */
export function judge(row: CatalogRow, filters: readonly FilterRule[], ctx: SearchContext): FilterVerdict {
  let inactive: string | undefined;
  for (const f of filters) {
    const cell = row.attributes?.[f.column];
    if (!cell) continue;
    const target = resolve((f.equals ?? f.onOrBefore ?? f.onOrAfter)!, ctx);
    if (target === undefined && (f.requiresContext || ctx.strictContext)) return { hidden: true };
    if (target === undefined) continue;
    const pass = f.equals !== undefined ? cell.toLowerCase() === target.toLowerCase() : f.onOrBefore !== undefined ? cell <= target : cell >= target;
    if (pass) continue;
    if (f.otherwise === 'hide') return { hidden: true };
    inactive ??= f.reason.replace(/\{value\}/g, cell);
  }
  return inactive ? { hidden: false, inactive } : { hidden: false };
}
