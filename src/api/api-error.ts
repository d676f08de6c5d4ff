// The failure the elements show, on its own: the popup's first screen needs the class without ky and zod.
import type { ErrorCode } from '../contract/error-codes.ts';

/** A failure the popup can show: a sentence for the user and, when there is one, a reference for support. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly code: ErrorCode,
    readonly correlationId?: string,
    readonly status?: number,
    /** For a refused wizard answer: the step, and why (a Problem from src/contract/problem.ts). */
    readonly step?: string,
    readonly problem?: { kind: string },
  ) {
    super(message);
  }
}
