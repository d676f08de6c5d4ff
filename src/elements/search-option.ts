// One result as <leu-search> lists it: code, label, detail (or why it is not available), the matched characters
// marked, and its tags: a recent pick, a connected list's next level, the value chosen.
import { css, html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import type { SearchItem } from '../contract/api.ts';
import { highlighted } from './highlight.ts';

/** The option's style; <leu-search> adds it to its own. */
export const optionStyles = css`
  [role='option'] {
    display: flex;
    gap: 0.5rem;
    width: 100%;
    box-sizing: border-box;
    min-height: var(--_target);
    align-items: center;
    padding-block: 0.25rem;
    padding-inline: 0.625rem;
    cursor: pointer;
    border-inline-start: 3px solid transparent;
  }
  [role='option'][aria-selected='true'] {
    background: color-mix(in srgb, var(--_accent) 14%, var(--_surface));
    border-inline-start-color: var(--_accent);
  }
  [role='option'][aria-disabled='true'] {
    cursor: not-allowed;
    color: var(--_muted);
  }
  .code {
    font-weight: 600;
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .label {
    flex: 1;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .detail {
    display: block;
    font-size: 0.8125rem;
    color: var(--_muted);
  }
  .tag {
    font-size: 0.75rem;
    color: var(--_muted);
    white-space: nowrap;
  }
  mark {
    background: none;
    color: inherit;
    font-weight: 700;
    text-decoration: underline;
  }
`;

/** Where the option stands in the list, and what the list does when the pointer picks or points at it. */
export interface OptionState {
  index: number;
  setSize: number;
  active: boolean;
  recent: boolean;
  chosen: boolean;
  onPick: () => void;
  onPoint: () => void;
}

/** The option with id `option-<index>`, for the input's aria-activedescendant. */
export function searchOption(item: SearchItem, o: OptionState) {
  // An option is never focused: the input keeps the focus and takes the keys for the list (the combobox pattern,
  // with aria-activedescendant), so Enter on the active option is this click's keyboard path (the input's keydown).
  // eslint-disable-next-line lit-a11y/click-events-have-key-events -- the keys are the input's, see above
  return html`<div
    id="option-${o.index}"
    role="option"
    part="option"
    aria-selected=${o.active ? 'true' : 'false'}
    aria-disabled=${item.inactive ? 'true' : nothing}
    aria-setsize=${o.setSize}
    aria-posinset=${o.index + 1}
    @click=${o.onPick}
    @mousemove=${o.onPoint}
  >
    <span class="code">${item.display ?? highlighted(item.code, item.highlight?.code)}</span>
    <span class="label">
      ${highlighted(item.label, item.highlight?.label)}
      ${
        item.detail || item.inactive
          ? html`<span class="detail"
              >${
                item.inactive
                  ? msg(str`Not available: ${item.inactive}`)
                  : highlighted(item.detail!, item.highlight?.detail)
              }</span
            >`
          : nothing
      }
    </span>
    ${o.recent ? html`<span class="tag">${msg('Recent')}</span>` : nothing}
    ${
      item.hasChildren
        ? html`<span class="tag" aria-hidden="true">›</span
            ><span class="visually-hidden">${msg('opens the next level')}</span>`
        : nothing
    }
    ${
      o.chosen
        ? html`<span class="tag" aria-hidden="true">✓</span><span class="visually-hidden">${msg('chosen')}</span>`
        : nothing
    }
  </div>`;
}
