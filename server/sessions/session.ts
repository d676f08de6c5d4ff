// A popup session: what a verified launch named (the item, the field) and the user token from its authorization code.
import type { ConcurToken } from '../concur/client.ts';
import type { ItemRef } from '../concur/item-url.ts';
import type { RequestItemRef } from '../concur/request-item-url.ts';
import type { FieldRule } from '../concur/write-rules.ts';

interface SessionBase {
  companyDomain: string;
  loggedInUserId: string;
  languageCode: string;
  isMobile: boolean;
  createdAt: number;
  /** What the item said when the popup read it: used by context filters and source URL templates. */
  facts?: {
    date?: string;
    expenseType?: string;
    values?: Record<string, string | null>;
    /** The form's rules for the fields this session writes (lower-case ids), from Concur's form fields. */
    rules?: Record<string, FieldRule>;
  };
}

/** What every v4 launch's session holds, whichever product it came from. */
interface LaunchedSession extends SessionBase {
  version: 4;
  fieldId: string;
  /** The launch's expense_ids (and, from Concur Request, request_ids): unsigned hints, for allocations only. */
  expenseIds: string[];
  /** The owner of the report (or, from Concur Request, of the travel request): signed. */
  reportOwnerUserId: string;
  reportOwnerEmployeeId: string;
  token: ConcurToken;
}

/** A v4 launch from Concur Expense: the item it named, and the user token from its authorization code. */
export interface V4Session extends LaunchedSession {
  /** Absent in sessions kept from before Concur Request launches: all of them came from Expense. */
  product?: 'expense';
  /** What the launch named; the only item this session may read or write. */
  item: ItemRef;
}

/** A v4 launch from Concur Request: a travel request's header, expected expense or allocation. */
export interface RequestV4Session extends LaunchedSession {
  product: 'request';
  /** What the launch named; the only item this session may read or write. */
  item: RequestItemRef;
}

/** A popup session (LEU v1, whose sessions carried no item, was shut down by Concur on 2026-06-23). */
export type Session = V4Session | RequestV4Session;

/**
 * What a hand-off code stands for: a launch still under way, then the popup's session token (the session is stored
 * under its hash), or why there is no session (a refusal that came after the page was sent).
 */
export type Handoff =
  /** The launch's calls to Concur are still under way (on whichever instance answered it). */
  | { pending: true }
  | { token: string }
  | { refused: { status: number; code: string; title: string; message: string; correlationId?: string } };
