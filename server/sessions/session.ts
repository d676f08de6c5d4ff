// A popup session: what a verified launch named (the item, the field) and the user token from its authorization code.
import type { ConcurToken } from '../concur/client.ts';
import type { ItemRef } from '../concur/item-url.ts';
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

/** A v4 launch: the item it named, and the user token from its authorization code. */
export interface V4Session extends SessionBase {
  version: 4;
  /** What the launch named; the only item this session may read or write. */
  item: ItemRef;
  fieldId: string;
  /** The launch's expense_ids (allocation launches only). */
  expenseIds: string[];
  reportOwnerUserId: string;
  reportOwnerEmployeeId: string;
  token: ConcurToken;
}

/** A popup session (LEU v1, whose sessions carried no item, was shut down by Concur on 2026-06-23). */
export type Session = V4Session;
