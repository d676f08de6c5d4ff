// The popup's session token, settled once per page load with plain fetch: the first screen needs it before the API
// client's chunk (ky, zod) has loaded. The page's inline script has usually started the claim already.
import type { ErrorCode } from '../contract/error-codes.ts';
import { ApiError } from './api-error.ts';

declare global {
  interface Window {
    /** The claim of the session index.html starts as soon as it arrives; taken once, by the first token(). */
    leuSessionClaim?: Promise<Response> | undefined;
  }
}

/** Where the token is kept across reloads of the popup (sessionStorage in the app). */
export type TokenStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
export const TOKEN_KEY = 'leu.session';

/** Where the API lives: /api/ on this origin unless told. */
export const apiPrefix = (baseUrl = '/api/') => new URL(baseUrl, location.href).href;

/** An error answer's sentence, code and reference, read without the contract's schemas (the first screen's). */
export async function answerError(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as
    { error?: { message?: unknown; code?: unknown; correlationId?: unknown } } | undefined;
  const e = body?.error;
  if (typeof e?.message === 'string' && typeof e.code === 'string')
    return new ApiError(
      e.message,
      e.code as ErrorCode,
      typeof e.correlationId === 'string' ? e.correlationId : undefined,
      response.status,
    );
  return new ApiError(
    `The connector answered with an error (HTTP ${response.status}). Please try again.`,
    'http_error',
    undefined,
    response.status,
  );
}

/**
 * The session token, settled once per page load. A fresh launch always wins: Concur may open a new launch in the
 * same named window, so the hand-off is claimed first. Only when there is none (a reload of the popup) does the
 * token kept in storage carry on. A failed claim is asked again by the next call.
 */
export function sessionToken(sessionUrl: string, storage: TokenStorage): () => Promise<string> {
  let settled: Promise<string> | undefined;
  const claim = async (): Promise<string> => {
    const early = window.leuSessionClaim;
    window.leuSessionClaim = undefined;
    const response = await (early ?? fetch(sessionUrl, { method: 'POST', credentials: 'same-origin' })).catch(() => {
      throw new ApiError('Could not reach the connector. Check your connection and try again.', 'network');
    });
    if (response.ok) {
      const { token } = (await response.json().catch(() => ({}))) as { token?: unknown };
      if (typeof token !== 'string')
        throw new ApiError(
          'The connector sent an answer this page does not understand. Please reload.',
          'bad_response',
        );
      storage.setItem(TOKEN_KEY, token);
      return token;
    }
    const error = await answerError(response);
    const stored = storage.getItem(TOKEN_KEY);
    if (error.code === 'session_missing' && stored) return stored;
    throw error;
  };
  return () =>
    (settled ??= claim().catch((error: unknown) => {
      settled = undefined;
      throw error;
    }));
}
