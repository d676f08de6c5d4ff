// How Concur wants each travel-request item read and written, per its Request v4 documentation of August 2026
// (protocol sheet §2, §7, §13), in one place, as write-rules.ts is for Expense: a tenant whose Concur behaves otherwise
// is corrected here. The readings taken where the documentation is silent are listed in the README's "Concur
// behaviour we rely on".
//
// | Item (source)             | Write                                                    | Token   | userId             |
// |---------------------------|----------------------------------------------------------|---------|--------------------|
// | header (HEADER)           | PUT /travelrequest/v4/requests/{requestId}                | user    | owner, if delegate |
// | expected expense (ENTRY)  | PUT /travelrequest/v4/expenses/{expenseId}                | company | owner (required)   |
// | allocation (ALLOCATION)   | PUT /travelrequest/v4/requests/{requestId}/allocations/{a} | user    | owner, if delegate |
//
// - Every endpoint takes a user token or a company token (scope travelrequest.write). A company token must name
//   the user where the endpoint requires it (the expected expense), and acts as "Concur System" where it does not:
//   the header and the allocation are therefore written with the launch's user token, so the request's history
//   names the employee; a delegate's token names the owner in userId, as the Request v4 list does for delegates.
// - The expected expense is written with the company's token and userId = the request owner (the signed
//   request_owner_user_id): the page singles that endpoint out for company tokens, as Expense moved entry writes to
//   company tokens only (§5). Without a company connection it fails closed, and the popup says so first.
// - Every read uses the user's token: what the employee cannot read, the company's token never writes for them.
// - Bodies carry only the fields written, as { "custom5": { "value": "..." } }: the header PUT is a partial update
//   ("other fields are ignored"), and the allocation example sends just what changes; the same is assumed of the
//   expected expense [INF]. Because an unknown field is ignored rather than refused, every write is read back.
import type { RequestItemRef } from './request-item-url.ts';
import type { ItemKind } from './item-url.ts';

const seg = encodeURIComponent;

/** Who a call is made for: the signed owner of the request, and who clicked (the owner, or a delegate). */
export interface RequestPeople {
  ownerId: string;
  loggedInUserId: string;
}

/** Approval statuses in which the employee still has the request (Request v4's approvalStatus.code). */
export const REQUEST_UNSUBMITTED_STATUSES: ReadonlySet<string> = new Set(['NOT_SUBMITTED', 'SENTBACK']);

export const requestPath = (requestId: string) => `/travelrequest/v4/requests/${seg(requestId)}`;
export const expectedExpensePath = (expenseId: string) => `/travelrequest/v4/expenses/${seg(expenseId)}`;
export const requestAllocationPath = (requestId: string, allocationId: string) =>
  `${requestPath(requestId)}/allocations/${seg(allocationId)}`;

/** A user token acts as its user: a delegate's names the owner it works for; the owner's own needs nothing. */
export function userQuery(people: RequestPeople): string {
  return people.ownerId.toLowerCase() === people.loggedInUserId.toLowerCase() ? '' : `?userId=${seg(people.ownerId)}`;
}

/** Whether writing this item needs the company's token (the popup warns before the user picks, when missing). */
export const requestNeedsCompanyToken = (kind: ItemKind): boolean => kind === 'ENTRY';
/** What the user is told when it does and no company is connected. */
export const REQUEST_NOT_CONNECTED =
  'This app is not connected to your company in Concur, so expected expenses on travel requests cannot be changed ' +
  'here. Your Concur administrator must connect it (App Center, Connect), then you can try again.';

/** Which call writes a travel-request item, with which token and body. */
export interface RequestWritePlan {
  /** The call's name in logs and metrics. */
  call: string;
  token: 'user' | 'company';
  /** Path and query (userId), after the API base. */
  path: string;
  body: Record<string, { value: string }>;
}

/** The documented write for the item (the table above); `requestId` is the item's request, read before. */
export function requestWritePlan(
  ref: RequestItemRef,
  requestId: string,
  people: RequestPeople,
  writes: readonly { field: string; value: string }[],
): RequestWritePlan {
  const body = Object.fromEntries(writes.map((w) => [w.field, { value: w.value }]));
  if (ref.kind === 'ENTRY')
    return {
      call: 'request.expense.put',
      token: 'company',
      path: `${expectedExpensePath(ref.expenseId!)}?userId=${seg(people.ownerId)}`,
      body,
    };
  if (ref.kind === 'ALLOCATION')
    return {
      call: 'request.allocation.put',
      token: 'user',
      path: requestAllocationPath(requestId, ref.allocationId!) + userQuery(people),
      body,
    };
  return { call: 'request.put', token: 'user', path: requestPath(requestId) + userQuery(people), body };
}
