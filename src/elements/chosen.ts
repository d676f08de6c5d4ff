// The line under a search that says what is chosen so far, as the popup, the picker and a wizard's search step
// show it.
import { css, html } from 'lit';
import { msg } from '@lit/localize';
import type { CatalogItem } from '../contract/api.ts';

/** The line's style; an element that renders `chosenLine` adds it to its styles. */
export const chosenStyles = css`
  .choice {
    margin: 0;
    overflow-wrap: anywhere;
  }
`;

/** "Selected: CODE label", or that nothing is; announced politely as the choice changes. */
export function chosenLine(chosen: CatalogItem | null | undefined) {
  return html`<p class="choice" aria-live="polite">
    ${
      chosen
        ? html`${msg('Selected:')} <strong>${chosen.display ?? chosen.code}</strong> ${chosen.label}`
        : msg('Nothing selected yet.')
    }
  </p>`;
}
