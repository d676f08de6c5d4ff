// For the tests that tamper with a v4 launch (Expense's and Concur Request's): the parameters its signature covers,
// a tampered value for each that keeps the value's format (so that only the signature can refuse it), a count of the
// token requests the fake Concur sees meanwhile, and one of the calls to a host that is not allowed.
import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';
import { SANDBOX_DELEGATE } from '../../../server/sandbox/concur-state.ts';

/** The signed parameters of an Expense (`report`) or a Concur Request (`request`) launch, in the signature's order. */
export const signedParams = (owner: 'report' | 'request') =>
  [
    'company_domain',
    'logged_in_user_id',
    `${owner}_owner_user_id`,
    `${owner}_owner_employee_id`,
    'item_url',
    'nonce',
  ] as const;

/** `name` tampered within its format: another item's URL (`otherItemUrl`), another user's id, or another string. */
export const tamperedValue = (name: string, otherItemUrl: string) =>
  name === 'item_url' ? otherItemUrl : name.endsWith('user_id') ? SANDBOX_DELEGATE.id : 'tampered-value';

/** Counts the token requests msw sees from now on, until stop(). */
export function countTokenCalls(msw: SetupServer): { count: () => number; stop: () => void } {
  let calls = 0;
  const listener = ({ request }: { request: Request }) => {
    if (request.url.endsWith('/token')) calls += 1;
  };
  msw.events.on('request:start', listener);
  return { count: () => calls, stop: () => msw.events.removeListener('request:start', listener) };
}

/** Answers every call to evil.example.com, a host that is not allowed, and counts them (none should come). */
export function countEvilHostCalls(msw: SetupServer): () => number {
  let calls = 0;
  msw.use(
    http.all('https://evil.example.com/*', () => {
      calls += 1;
      return HttpResponse.json({});
    }),
  );
  return () => calls;
}
