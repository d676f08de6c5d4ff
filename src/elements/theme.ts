// The elements' shared theme: every colour, radius and size as a --leu-* custom property with a default that sits
// comfortably inside Concur, a dark variant from prefers-color-scheme, and larger targets on touch screens.
import { css } from 'lit';

/**
 * Hosts theme the elements by setting these on the element or any ancestor: --leu-accent, --leu-on-accent,
 * --leu-text, --leu-muted, --leu-surface, --leu-field, --leu-border, --leu-divider, --leu-danger,
 * --leu-danger-surface, --leu-focus, --leu-radius, --leu-font, --leu-target-size. Set, they win in both schemes.
 */
export const theme = css`
  :host {
    --_accent: var(--leu-accent, #0064d9);
    --_on-accent: var(--leu-on-accent, #ffffff);
    --_text: var(--leu-text, #1d2d3e);
    --_muted: var(--leu-muted, #4e6073);
    --_surface: var(--leu-surface, #ffffff);
    --_field: var(--leu-field, #ffffff);
    --_border: var(--leu-border, #6a7d90);
    --_divider: var(--leu-divider, #d5dadd);
    --_danger: var(--leu-danger, #aa0808);
    --_danger-surface: var(--leu-danger-surface, #fff0f0);
    --_focus: var(--leu-focus, #0032a5);
    --_radius: var(--leu-radius, 0.375rem);
    --_target: var(--leu-target-size, var(--_leu-touch-target, 2.25rem));
    color: var(--_text);
    font-family: var(--leu-font, '72', '72full', system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_accent: var(--leu-accent, #7cc0ff);
      --_on-accent: var(--leu-on-accent, #08192d);
      --_text: var(--leu-text, #eaecee);
      --_muted: var(--leu-muted, #b3bdc7);
      --_surface: var(--leu-surface, #1b2430);
      --_field: var(--leu-field, #111923);
      --_border: var(--leu-border, #8c9cad);
      --_divider: var(--leu-divider, #3c4957);
      --_danger: var(--leu-danger, #ffb4b4);
      --_danger-surface: var(--leu-danger-surface, #3a1114);
      --_focus: var(--leu-focus, #a9d5ff);
    }
  }
  /* Fingers need bigger targets than a mouse (WCAG 2.5.8 asks 24px; Concur's mobile app uses 44px). */
  @media (pointer: coarse) {
    :host {
      --_target: var(--leu-target-size, 2.75rem);
    }
  }
  /* Set on the popup for is_mobile; inherited by every element inside it, which do not declare it. */
  :host([mobile]) {
    --_leu-touch-target: 2.75rem;
    --_target: var(--leu-target-size, 2.75rem);
    font-size: 1rem;
  }
  [hidden] {
    display: none !important;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  button {
    font: inherit;
    min-height: var(--_target);
    padding-block: 0.25rem;
    padding-inline: 0.875rem;
    border-radius: var(--_radius);
    border: 1px solid var(--_border);
    background: var(--_surface);
    color: var(--_text);
    cursor: pointer;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
    font-weight: 600;
  }
  button:disabled {
    opacity: 0.6;
    cursor: not-allowed;
  }
  :is(button, input, select, textarea, [tabindex]):focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  input,
  select,
  textarea {
    font: inherit;
    min-height: var(--_target);
    box-sizing: border-box;
    padding-block: 0.25rem;
    padding-inline: 0.625rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_field);
    color: var(--_text);
  }
  input[aria-invalid='true'] {
    border-color: var(--_danger);
    box-shadow: 0 0 0 1px var(--_danger);
  }
  .alert {
    border: 1px solid var(--_danger);
    border-radius: var(--_radius);
    padding-block: 0.5rem;
    padding-inline: 0.75rem;
    color: var(--_text);
    background: var(--_danger-surface);
  }
  .alert p {
    margin-block: 0 0.375rem;
  }
  .alert .detail,
  .alert .ref {
    font-size: 0.8125rem;
  }
  .problem {
    color: var(--_danger);
    margin: 0;
    font-size: 0.875rem;
  }
`;
