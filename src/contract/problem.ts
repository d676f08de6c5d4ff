// Why a wizard's answer cannot be accepted, as the server's flow_answer_invalid error carries it: shared by the
// wizard, the popup (which words a problem the server sent) and the server (which throws it, typed against this).
// Small on purpose: the popup's first screen needs it without the wizard.

/** Why an answer cannot be accepted. The popup words it in the user's language, the server in English. */
export type Problem =
  | { kind: 'required' }
  | { kind: 'tooShort'; min: number }
  | { kind: 'tooLong'; max: number }
  | { kind: 'pattern'; hint?: string }
  | { kind: 'notNumber' }
  | { kind: 'decimals'; decimals: number }
  | { kind: 'belowMin'; min: number }
  | { kind: 'aboveMax'; max: number }
  | { kind: 'notDate' }
  | { kind: 'dateBefore'; min: string }
  | { kind: 'dateAfter'; max: string }
  | { kind: 'notOption' }
  /** A search step's code that its source does not offer (or not within the earlier pick). */
  | { kind: 'notOffered'; value: string }
  | { kind: 'inactive'; reason: string }
  /** The value the field's template makes of the answer is longer than Concur stores. */
  | { kind: 'writtenTooLong'; value: string; max: number };

const PROBLEM_KINDS = new Set<string>([
  'required',
  'tooShort',
  'tooLong',
  'pattern',
  'notNumber',
  'decimals',
  'belowMin',
  'aboveMax',
  'notDate',
  'dateBefore',
  'dateAfter',
  'notOption',
  'notOffered',
  'inactive',
  'writtenTooLong',
] satisfies Problem['kind'][]);
/** Whether a problem the server sent is one this page knows how to word. */
export const isProblem = (p: { kind: string } | undefined): p is Problem =>
  p !== undefined && PROBLEM_KINDS.has(p.kind);
