// Failures of calls to the connector, as the elements show them: a sentence, a code, and a support reference.
import { HTTPError, TimeoutError } from 'ky';
import type * as z from 'zod/mini';
import { ErrorBody } from '../contract/api.ts';
import { ApiError } from './api-error.ts';

/** Turns whatever ky threw into an ApiError (an abort stays an abort); `onResponse` sees an error response first. */
export function translateError(error: unknown, onResponse?: (response: Response) => void): never {
  if (error instanceof DOMException && error.name === 'AbortError') throw error;
  if (error instanceof HTTPError) {
    onResponse?.(error.response);
    // ky has read the body already: error.data is its JSON, or undefined.
    const body = ErrorBody.safeParse(error.data ?? null);
    if (body.success) {
      const e = body.data.error;
      throw new ApiError(e.message, e.code, e.correlationId, error.response.status, e.step, e.problem);
    }
    throw new ApiError(
      `The connector answered with an error (HTTP ${error.response.status}). Please try again.`,
      'http_error',
      undefined,
      error.response.status,
    );
  }
  if (error instanceof TimeoutError)
    throw new ApiError('The connector did not answer in time. Please try again.', 'timeout');
  if (error instanceof ApiError) throw error;
  throw new ApiError('Could not reach the connector. Check your connection and try again.', 'network');
}

/** The answer's JSON, checked against the shared contract; any failure on the way becomes an ApiError. */
export async function parseAnswer<T>(
  schema: z.ZodMiniType<T>,
  response: Promise<Response>,
  translate: (error: unknown) => never = translateError,
): Promise<T> {
  const json: unknown = await response.then((r) => r.json()).catch(translate);
  const result = schema.safeParse(json);
  if (!result.success)
    throw new ApiError('The connector sent an answer this page does not understand. Please reload.', 'bad_response');
  return result.data;
}
