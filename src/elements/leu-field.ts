// <leu-field>: one wizard question that is not a search: a choice, a text, a number or a date, with its label,
// help and error in one shadow root so the input can point at them.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import { localized, msg, str } from '@lit/localize';
import type { AnswerStep } from '../contract/api.ts';
import { AnswerChangeEvent } from './events.ts';
import { formatDate, formatNumber } from '../i18n/format.ts';
import { theme } from './theme.ts';

export type FieldStep = Exclude<AnswerStep, { kind: 'search' }>;

/**
 * A labelled input for one wizard step. Choices are native radio buttons in a fieldset (arrow keys move between
 * them); numbers take a decimal keyboard on phones; dates use the browser's date picker and are kept as
 * YYYY-MM-DD. The error, when set, is announced and tied to the input with aria-describedby.
 *
 * @fires {AnswerChangeEvent} leu-answer - the user changed the answer.
 * @csspart label - The question.
 * @csspart input - The text, number or date input.
 * @csspart option - One choice (label and radio button).
 * @csspart error - The message saying why the answer is refused.
 */
@localized()
@customElement('leu-field')
export class LeuFieldElement extends LitElement {
  static override styles = [
    theme,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.375rem;
      }
      label,
      legend {
        font-weight: 600;
      }
      fieldset {
        border: 0;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        min-width: 0;
      }
      legend {
        padding: 0;
        margin-block-end: 0.375rem;
      }
      .option {
        font-weight: 400;
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-height: var(--_target);
        padding-inline: 0.5rem;
        border: 1px solid var(--_divider);
        border-radius: var(--_radius);
        cursor: pointer;
      }
      .option:has(input:checked) {
        border-color: var(--_accent);
        background: color-mix(in srgb, var(--_accent) 10%, var(--_surface));
      }
      .option input {
        inline-size: 1.125rem;
        block-size: 1.125rem;
        min-height: 0;
        margin: 0;
        accent-color: var(--_accent);
      }
      input:not([type='radio']) {
        inline-size: 100%;
      }
      .help,
      .hint {
        margin: 0;
        color: var(--_muted);
        font-size: 0.875rem;
      }
    `,
  ];

  /** The question. */
  @property({ attribute: false }) step?: FieldStep;
  /** The answer as typed or chosen so far. */
  @property() value = '';
  /** Why the answer is refused, in the user's language; empty when it is not. */
  @property() error = '';
  /** The BCP 47 locale for numbers and dates in hints. */
  @property() locale = 'en';

  /** Puts the focus on the input, or on the chosen (else the first) option. */
  override focus(options?: FocusOptions) {
    const target =
      this.renderRoot.querySelector<HTMLInputElement>('input:checked') ??
      this.renderRoot.querySelector<HTMLInputElement>('input');
    target?.focus(options);
  }

  private onInput(e: Event) {
    const step = this.step!;
    this.dispatchEvent(new AnswerChangeEvent(step.id, (e.target as HTMLInputElement).value));
  }

  /** A line saying what is expected: a range, a length, a form. */
  private hint(step: FieldStep): string {
    const n = (v: number) => formatNumber(v, this.locale);
    const d = (v: string) => formatDate(v, this.locale);
    switch (step.kind) {
      case 'number':
        if (step.min !== undefined && step.max !== undefined)
          return msg(str`A number from ${n(step.min)} to ${n(step.max)}.`);
        if (step.min !== undefined) return msg(str`A number of at least ${n(step.min)}.`);
        if (step.max !== undefined) return msg(str`A number of at most ${n(step.max)}.`);
        return '';
      case 'date':
        if (step.min && step.max) return msg(str`A date from ${d(step.min)} to ${d(step.max)}.`);
        return '';
      case 'text':
        if (step.patternHint) return step.patternHint;
        return step.minLength
          ? msg(str`From ${step.minLength} to ${step.maxLength} characters.`)
          : msg(str`At most ${step.maxLength} characters.`);
      default:
        return '';
    }
  }

  private describedBy(hint: string) {
    return (
      [this.step?.help ? 'help' : '', hint ? 'hint' : '', this.error ? 'error' : ''].filter(Boolean).join(' ') ||
      nothing
    );
  }

  private renderInput(step: Exclude<FieldStep, { kind: 'choice' }>, hint: string) {
    const common = { 'aria-describedby': this.describedBy(hint) };
    const required = step.required ? msg('required') : msg('optional');
    return html`<label part="label" for="input">${step.label} <span class="visually-hidden">(${required})</span></label>
      <input
        id="input"
        part="input"
        name=${step.id}
        .value=${live(this.value)}
        @input=${(e: Event) => this.onInput(e)}
        type=${step.kind === 'date' ? 'date' : 'text'}
        inputmode=${step.kind === 'number' ? (step.decimals > 0 ? 'decimal' : 'numeric') : nothing}
        autocomplete="off"
        ?required=${step.required}
        aria-required=${step.required ? 'true' : 'false'}
        aria-invalid=${this.error ? 'true' : 'false'}
        aria-describedby=${common['aria-describedby']}
        min=${step.kind === 'date' && step.min ? step.min : nothing}
        max=${step.kind === 'date' && step.max ? step.max : nothing}
        maxlength=${step.kind === 'text' ? step.maxLength : nothing}
      />`;
  }

  private renderChoice(step: Extract<FieldStep, { kind: 'choice' }>, hint: string) {
    return html`<fieldset aria-describedby=${this.describedBy(hint)} aria-invalid=${this.error ? 'true' : 'false'}>
      <legend part="label">${step.label}</legend>
      ${step.options.map(
        (o, i) =>
          html`<label class="option" part="option">
            <input
              type="radio"
              name=${step.id}
              id="option-${i}"
              .value=${o.value}
              .checked=${live(this.value === o.value)}
              ?required=${step.required}
              @change=${(e: Event) => this.onInput(e)}
            />
            <span>${o.label}</span>
          </label>`,
      )}
    </fieldset>`;
  }

  override render() {
    const step = this.step;
    if (!step) return nothing;
    const hint = this.hint(step);
    return html`
      ${step.kind === 'choice' ? this.renderChoice(step, hint) : this.renderInput(step, hint)}
      ${step.help ? html`<p id="help" class="help">${step.help}</p>` : nothing}
      ${hint ? html`<p id="hint" class="hint">${hint}</p>` : nothing}
      ${this.error ? html`<p id="error" class="problem" part="error" role="alert">${this.error}</p>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leu-field': LeuFieldElement;
  }
}
