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

/**
 * Who the launch is for. A rule on one of these restricts who sees what, so when the value is empty (Concur may
 * send no employee id) the rule fails rather than lets everything through.
 */
const IDENTITY_KEYS: ReadonlySet<string> = new Set(['employeeId', 'companyDomain', 'loggedInUserId', 'reportOwnerUserId']);

/**
 * A context value filled into a template: `missing` when the item lacks a fact (a report header has no
 * transaction date: the rule then does not apply), `failed` when the launch's identity value is empty.
 */
const MISSING = Symbol('missing');
const FAILED = Symbol('failed');
function resolve(t: string, ctx: SearchContext): string | typeof MISSING | typeof FAILED {
  let outcome: typeof MISSING | typeof FAILED | undefined;
  const value = t.replace(/\{(\w+)\}/g, (_, key: TemplateKey) => {
    const v = ctx[key];
    if (!v) outcome = IDENTITY_KEYS.has(key) || outcome === FAILED ? FAILED : MISSING;
    return v ?? '';
  });
  return outcome ?? value;
}

export interface FilterVerdict {
  hidden: boolean;
  /** Why the value is greyed, when it is. */
  inactive?: string;
}

/**
 * Applies every rule: a failed hide rule hides the row whatever else applies; otherwise the first failed rule's
 * reason greys it. Empty cells pass (no restriction), and so does a rule on a fact this item does not have (a
 * report header has no transaction date). A rule on an identity value the launch left empty fails (fails closed).
 */
export function judge(row: CatalogRow, filters: readonly FilterRule[], ctx: SearchContext): FilterVerdict {
  let inactive: string | undefined;
  for (const f of filters) {
    const cell = row.attributes?.[f.column];
    if (!cell) continue;
    const target = resolve((f.equals ?? f.onOrBefore ?? f.onOrAfter)!, ctx);
    const unknown = target === MISSING || target === FAILED;
    if (unknown && (f.requiresContext || ctx.strictContext)) return { hidden: true };
    if (target === MISSING) continue;
    const pass = target !== FAILED && (f.equals !== undefined ? cell.toLowerCase() === target.toLowerCase() : f.onOrBefore !== undefined ? cell <= target : cell >= target);
    if (pass) continue;
    if (f.otherwise === 'hide') return { hidden: true };
    inactive ??= f.reason.replace(/\{value\}/g, cell);
  }
  return inactive ? { hidden: false, inactive } : { hidden: false };
}
