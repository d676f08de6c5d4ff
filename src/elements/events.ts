// The typed events the elements fire; all bubble and cross shadow roots.
import type { CatalogItem } from '../contract/api.js';

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
  constructor(readonly reason: 'committed' | 'cancelled', readonly value?: string) {
    super(PopupCloseEvent.type, { bubbles: true, composed: true, cancelable: true });
  }
}

/** The user finished a wizard: its answers by step id, as the server takes them. Cancel it to stay. */
export class WizardSubmitEvent extends Event {
  static readonly type = 'leu-submit';
  constructor(readonly answers: Record<string, string>) {
    super(WizardSubmitEvent.type, { bubbles: true, composed: true, cancelable: true });
  }
}

/** The user changed an answer in a wizard step's field. */
export class AnswerChangeEvent extends Event {
  static readonly type = 'leu-answer';
  constructor(readonly step: string, readonly value: string) {
    super(AnswerChangeEvent.type, { bubbles: true, composed: true });
  }
}

declare global {
  interface HTMLElementEventMap {
    'leu-select': ValueSelectEvent;
    'leu-close': PopupCloseEvent;
    'leu-submit': WizardSubmitEvent;
    'leu-answer': AnswerChangeEvent;
  }
}
