// What the search routes (the popup's and the embedding pages') accept, and the validator every route uses: a
// request that does not have the shape a route takes is refused with RequestInvalid, naming what is wrong.
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { $ZodType } from 'zod/v4/core';
import { z } from 'zod';
import { RequestInvalid } from '../errors.ts';

export const SearchQuery = z.object({
  q: z.string().max(200, 'q is longer than 200 characters').default(''),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** A connected list's item whose next level to list. */
  parent: z.string().max(100).optional(),
  /** In a wizard: the search step, and the code picked in the step it is narrowed by. */
  step: z.string().max(64).optional(),
  within: z.string().max(100).optional(),
});

/** zod-validator with our refusal: each issue as "path: message". */
export const validated = <T extends $ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (result.success) return;
    throw new RequestInvalid(
      result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '),
    );
  });
