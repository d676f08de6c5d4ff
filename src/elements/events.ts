// The typed events the elements fire; all bubble and cross shadow roots.
import type { CatalogItem, FieldWrite } from '../contract/api.ts';

/** The user picked a value in a search list. */
export class ValueSelectEvent extends Event {
  static readonly type = 'leu-select';
  constructor(readonly item: CatalogItem) {
    super(ValueSelectEvent.type, { bubbles: true, composed: true });
  }
}

/** The popup is finished: the value was written, or the user cancelled. Cancel it to keep the window open. */
export class PopupCloseEvent extends Event {
  static readonly type = 'leu-close';
  constructor(
    readonly reason: 'committed' | 'cancelled',
    readonly value?: string,
  ) {
    super(PopupCloseEvent.type, { bubbles: true, composed: true, cancelable: true });
  }
}

/** The user finished a wizard: its answers by step id, as the server takes them. Cancel it to stay. */
export class WizardSubmitEvent extends Event {
  static readonly type = 'leu-submit';
  /** `writes`: the value each field would be written, from the answers through the steps' templates. */
  constructor(
    readonly answers: Record<string, string>,
    readonly writes: FieldWrite[] = [],
  ) {
    super(WizardSubmitEvent.type, { bubbles: true, composed: true, cancelable: true });
  }
}

/** The user changed an answer in a wizard step's field. */
export class AnswerChangeEvent extends Event {
  static readonly type = 'leu-answer';
  constructor(
    readonly step: string,
    readonly value: string,
  ) {
    super(AnswerChangeEvent.type, { bubbles: true, composed: true });
  }
}

/** What an embedded picker's user chose: the values for each field, and the pick or the wizard's answers. */
export interface PickerChoice {
  field: string;
  /** The value for each field, as Concur would be written (a single search writes one). */
  writes: FieldWrite[];
  /** The picked value (a single search). */
  item?: CatalogItem;
  /** The wizard's answers by step id. */
  answers?: Record<string, string>;
}

/**
 * An embedded picker's user pressed Done. Nothing is written anywhere: the host decides what to do with the
 * choice. Cancel it (preventDefault) to refuse the choice and keep the picker open.
 */
export class PickerChooseEvent extends Event {
  static readonly type = 'leu-choose';
  constructor(readonly choice: PickerChoice) {
    super(PickerChooseEvent.type, { bubbles: true, composed: true, cancelable: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'leu-select': ValueSelectEvent;
    'leu-close': PopupCloseEvent;
    'leu-submit': WizardSubmitEvent;
    'leu-answer': AnswerChangeEvent;
    'leu-choose': PickerChooseEvent;
  }
}
