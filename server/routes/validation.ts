// The validator every route uses: a request that does not have the shape a route takes is refused with
// RequestInvalid, naming what is wrong.
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { $ZodType } from 'zod/v4/core';
import { RequestInvalid } from '../errors.ts';

/** zod-validator with our refusal: each issue as "path: message". */
export const validated = <T extends $ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  zValidator(target, schema, (result) => {
    if (result.success) return;
    throw new RequestInvalid(
      result.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '),
    );
  });
