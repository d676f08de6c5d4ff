// The sandbox's Frankfurt client visit (a Concur Request travel request) as the popup's context describes a header
// launch on it: what the server answers (test/server/request/request-writes.test.ts) and what the popup's tests show
// (test/browser/elements/leu-popup-request.test.ts). Plain data, so that Node and the browser can both import it.
import type { SessionContext } from '../src/contract/api.ts';

/** The context's item: the request's header, with its name and dates. */
export const FRANKFURT_REQUEST_ITEM = {
  kind: 'REQUEST',
  requestName: 'Frankfurt client visit',
  startDate: '2026-11-10',
  endDate: '2026-11-13',
} satisfies SessionContext['item'];

/** The context's report: the travel request, Jane's own. */
export const FRANKFURT_REQUEST_REPORT = {
  name: 'Frankfurt client visit',
  // Approved: past the employee's own editing, as Concur says it.
  submitted: true,
  paid: false,
  ownerEmployeeId: 'EMP-00042',
  onBehalfOfOwner: false,
  startDate: '2026-11-10',
  endDate: '2026-11-13',
} satisfies SessionContext['report'];
