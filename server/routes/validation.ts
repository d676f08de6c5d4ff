// What the search routes (the popup's and the embedding pages') accept, and how a refusal reads.
import { z } from 'zod';

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

/** zod-validator's default answer is zod's own error object; ours is the shared ErrorBody. */
export const invalid = (
  result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } },
  c: { json: (b: unknown, s: 400) => Response },
) => {
  if (result.success) return;
  const message = result
    .error!.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  return c.json({ error: { code: 'invalid_request', message } }, 400);
};
