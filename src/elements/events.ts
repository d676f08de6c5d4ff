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

declare global {
  interface HTMLElementEventMap {
    'leu-select': ValueSelectEvent;
    'leu-close': PopupCloseEvent;
  }
}
