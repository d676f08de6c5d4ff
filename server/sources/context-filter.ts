// Context filters: rules from configuration that compare a catalog column with the launch context, so a value
// that does not apply (a project closed before the transaction date, another company's cost centre) is listed
// greyed with the reason, or hidden.
import { z } from 'zod';
import type { SearchContext } from './source.ts';
import type { CatalogRow } from './catalog.ts';

export const CONTEXT_KEYS = [
  'date',
  'expenseType',
  'employeeId',
  'companyDomain',
  'loggedInUserId',
  'reportOwnerUserId',
] as const;
const template = z
  .string()
  .refine(
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
  .refine(
    (f) => [f.equals, f.onOrBefore, f.onOrAfter].filter((v) => v !== undefined).length === 1,
    'give exactly one of equals, onOrBefore, onOrAfter',
  );
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
export const withinFilter = (column: string): FilterRule => ({
  column,
  equals: '{within}',
  otherwise: 'hide',
  reason: '',
  requiresContext: true,
});

/**
 * Who the launch is for. A rule on one of these restricts who sees what, so when the value is empty (Concur may
 * send no employee id) the rule fails rather than lets everything through.
 */
export const IDENTITY_KEYS = ['employeeId', 'companyDomain', 'loggedInUserId', 'reportOwnerUserId'] as const;
const IDENTITY: ReadonlySet<string> = new Set(IDENTITY_KEYS);

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
    if (!v) outcome = IDENTITY.has(key) || outcome === FAILED ? FAILED : MISSING;
    return v ?? '';
  });
  return outcome ?? value;
}

export interface FilterVerdict {
  hidden: boolean;
  /** Why the value is greyed, when it is. */
  inactive?: string;
}

/** One rule with its context value filled in for a search: `check` says whether a cell passes. */
interface CompiledRule {
  rule: FilterRule;
  /** The row cannot be judged (a rule that insists on its value, or strict context): hidden. */
  hidesAll: boolean;
  /** The rule does not apply to this item (it lacks the fact). */
  skip: boolean;
  check: (cell: string) => boolean;
}

function compileRule(f: FilterRule, ctx: SearchContext): CompiledRule {
  const target = resolve((f.equals ?? f.onOrBefore ?? f.onOrAfter)!, ctx);
  const unknown = target === MISSING || target === FAILED;
  const hidesAll = unknown && (f.requiresContext === true || ctx.strictContext === true);
  if (target === MISSING || target === FAILED)
    return { rule: f, hidesAll, skip: target === MISSING, check: () => false };
  const lower = target.toLowerCase();
  const check =
    f.equals !== undefined
      ? (cell: string) => cell.toLowerCase() === lower
      : f.onOrBefore !== undefined
        ? (cell: string) => cell <= target
        : (cell: string) => cell >= target;
  return { rule: f, hidesAll, skip: false, check };
}

/**
 * The rules for one search, their context values filled in once (a search may judge every row of a large
 * catalog). A failed hide rule hides the row whatever else applies; otherwise the first failed rule's reason greys
 * it. Empty cells pass (no restriction), and so does a rule on a fact this item does not have (a report header has
 * no transaction date). A rule on an identity value the launch left empty fails (fails closed).
 */
export function compileFilters(filters: readonly FilterRule[], ctx: SearchContext): (row: CatalogRow) => FilterVerdict {
  const rules = filters.map((f) => compileRule(f, ctx));
  return (row) => {
    let inactive: string | undefined;
    for (const r of rules) {
      const cell = row.attributes?.[r.rule.column];
      if (!cell) continue;
      if (r.hidesAll) return { hidden: true };
      if (r.skip || r.check(cell)) continue;
      if (r.rule.otherwise === 'hide') return { hidden: true };
      inactive ??= r.rule.reason.replace(/\{value\}/g, cell);
    }
    return inactive ? { hidden: false, inactive } : { hidden: false };
  };
}

/**
 * Only whether a row is hidden, for the rules that can hide one: undefined when none can (greyed rows stay in the
 * results, so a search with only greying rules judges no row it does not show).
 */
export function compileHiding(
  filters: readonly FilterRule[],
  ctx: SearchContext,
): ((row: CatalogRow) => boolean) | undefined {
  const rules = filters
    .map((f) => compileRule(f, ctx))
    .filter((r) => r.hidesAll || (!r.skip && r.rule.otherwise === 'hide'));
  if (!rules.length) return undefined;
  return (row) => {
    for (const r of rules) {
      const cell = row.attributes?.[r.rule.column];
      if (!cell) continue;
      if (r.hidesAll || !r.check(cell)) return true;
    }
    return false;
  };
}

/** Judges one row (see compileFilters). */
export function judge(row: CatalogRow, filters: readonly FilterRule[], ctx: SearchContext): FilterVerdict {
  return compileFilters(filters, ctx)(row);
}
