// <leu-wizard>: a field's flow of steps (searches, choices, texts, numbers, dates, a review), with Back and
// Next keeping every answer, focus moved to each step, and the answers handed up in one event on Done.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { localized, msg, str } from '@lit/localize';
import type { ApiClient } from '../api/client.ts';
import { ApiError } from '../api/api-error.ts';
import type { AnswerStep, Flow, FlowStep, SearchItem } from '../contract/api.ts';
import {
  answerValue,
  checkAnswer,
  firstProblem,
  isAnswerStep,
  normalize,
  plannedWrites,
  visibleSteps,
  type Answer,
  type Answers,
} from '../flows/wizard.ts';
import { isProblem } from '../contract/problem.ts';
import { problemText } from '../i18n/messages.ts';
import { AnswerChangeEvent, WizardSubmitEvent, type ValueSelectEvent } from './events.ts';
import type { SearchFunction } from './leu-search.ts';
import { renderReview } from './review.ts';
import { chosenLine, chosenStyles } from './chosen.ts';
import { failureAlert } from './failure.ts';
import { FIELD_EXPORTPARTS, SEARCH_EXPORTPARTS } from './parts.ts';
import { theme } from './theme.ts';
import { LeuSearchElement } from './leu-search.ts';
import { LeuFieldElement } from './leu-field.ts';

/**
 * Shows one step at a time. Next checks the step's answer and, when it is refused, says why under the field and
 * puts the focus there; Back never loses an answer. A step shown only for some answers disappears when an earlier
 * answer changes, and its answer is neither checked nor sent (it comes back if the branch does). Each step change
 * is announced ("Step 2 of 4: Task"). When the host could not write the answers it sets `failure`: a refused answer
 * is said on its step, anything else in an alert with Retry (which is Done again).
 *
 * @fires {WizardSubmitEvent} leu-submit - Done on the last step, with every shown step's answer by step id.
 * @slot secondary - A button placed before Back and Next (the popup's Cancel).
 * @csspart progress - The "Step 2 of 4" line.
 * @csspart step - The current step's area.
 * @csspart back - The Back button.
 * @csspart next - The Next button.
 * @csspart done - The Done button on the last step.
 * @csspart alert - Why the answers could not be written (set through `failure`), with its reference and Retry.
 * @csspart input - A step's search box or input (with label, listbox, option, match, error from its element).
 */
@localized()
@customElement('leu-wizard')
export class LeuWizardElement extends LitElement {
  /** The elements this one renders: referring to them keeps them (and their tags) in a tree-shaken bundle. */
  static readonly dependencies = [LeuSearchElement, LeuFieldElement];

  static override styles = [
    theme,
    chosenStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        min-height: 0;
      }
      .progress {
        margin: 0;
        font-size: 0.8125rem;
        color: var(--_muted);
      }
      .step {
        flex: 1;
        min-height: 0;
        display: flex;
        flex-direction: column;
        gap: 0.375rem;
        overflow: auto;
        padding: 2px;
      }
      .step leu-search {
        flex: 1;
        min-height: 0;
      }
      h2 {
        font-size: 1rem;
        margin: 0;
      }
      dl {
        margin: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
      dl div {
        border-block-end: 1px solid var(--_divider);
        padding-block-end: 0.375rem;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .field,
      .was {
        color: var(--_muted);
        font-size: 0.8125rem;
      }
      .lead {
        margin: 0;
      }
      footer {
        display: flex;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      .spacer {
        flex: 1;
      }
      :host([mobile]) footer ::slotted(button),
      :host([mobile]) footer button {
        flex: 1 1 auto;
      }
      @media (max-width: 22.5rem) {
        footer ::slotted(button),
        footer button {
          flex: 1 1 auto;
        }
        .spacer {
          display: none;
        }
      }
    `,
  ];

  /** The wizard, its texts in the user's language. */
  @property({ attribute: false }) flow?: Flow;
  /** Answers to start from (read back from the fields), by step id. */
  @property({ attribute: false }) answers: Answers = {};
  /** The fields' values now, by field id, shown in the review beside the new ones. */
  @property({ attribute: false }) fieldValues: Record<string, string | null> = {};
  /** Runs the search steps' searches. */
  @property({ attribute: false }) api?: Pick<ApiClient, 'search'>;
  /** The BCP 47 locale for numbers and dates. */
  @property() locale = 'en';
  /** While the answers are being written: Back and Done wait. */
  @property({ type: Boolean }) busy = false;
  @property({ type: Boolean, reflect: true }) mobile = false;
  /** Why the host could not write the answers (its commit's error), for as long as that stands; unset otherwise. */
  @property({ attribute: false }) failure?: unknown;

  @state() private values: Record<string, Answer | undefined> = {};
  @state() private current = '';
  @state() private problem?: { step: string; text: string };
  @state() private announcement = '';
  /** One search function per step and narrowing pick, so a re-render does not restart a search. */
  #searches = new Map<string, SearchFunction>();
  /** The failure is said on the step whose answer it refuses, so not again as an alert. */
  #failureOnStep = false;

  protected override willUpdate(changed: Map<string, unknown>) {
    if (changed.has('flow') || changed.has('answers')) {
      this.values = { ...this.answers };
      this.current = this.flow?.steps[0]?.id ?? '';
      this.problem = undefined;
    }
    if (changed.has('failure')) this.#failureOnStep = this.failure !== undefined && this.showRefusal(this.failure);
  }

  /** Focuses the current step's field, once it has rendered. */
  override focus(options?: FocusOptions) {
    void this.updateComplete.then(async () => {
      const target = this.renderRoot.querySelector<HTMLElement>('.step leu-search, .step leu-field, .step h2');
      if (target instanceof LitElement) await target.updateComplete;
      target?.focus(options);
    });
  }

  /** Done: every shown step's answer is checked; the first refused one is shown, else the answers go up. */
  submit() {
    if (!this.flow || this.busy) return;
    const effective = this.effective();
    const bad = firstProblem(this.flow, effective);
    if (bad) {
      this.showProblem(bad.step.id, problemText(bad.problem, this.locale));
      return;
    }
    const answers = Object.fromEntries(
      visibleSteps(this.flow, effective)
        .filter(isAnswerStep)
        .flatMap((s) => {
          const v = answerValue(effective[s.id]);
          return v ? [[s.id, v]] : [];
        }),
    );
    this.dispatchEvent(
      new WizardSubmitEvent(
        answers,
        plannedWrites(this.flow, effective).map(({ field, value }) => ({ field, value })),
      ),
    );
  }

  /** Shows why a step's answer is refused on that step; false when no such step is shown. */
  private showProblem(stepId: string, text: string): boolean {
    if (!this.steps.some((s) => s.id === stepId)) return false;
    this.go(stepId);
    this.problem = { step: stepId, text };
    this.focus();
    return true;
  }

  /** The server's refusal of one step's answer goes to that step, worded in the user's language when it can be. */
  private showRefusal(e: unknown): boolean {
    if (!(e instanceof ApiError) || e.code !== 'flow_answer_invalid' || !e.step) return false;
    return this.showProblem(e.step, isProblem(e.problem) ? problemText(e.problem, this.locale) : e.message);
  }

  private get steps(): FlowStep[] {
    return this.flow ? visibleSteps(this.flow, this.effective()) : [];
  }

  /** The answers as they would be sent: texts trimmed, numbers in plain notation. */
  private effective(): Answers {
    const out: Record<string, Answer | undefined> = {};
    for (const step of this.flow?.steps ?? []) {
      const v = this.values[step.id];
      if (isAnswerStep(step)) out[step.id] = typeof v === 'string' ? normalize(step, v) || undefined : v;
    }
    return out;
  }

  private go(stepId: string) {
    const steps = this.steps;
    const index = steps.findIndex((s) => s.id === stepId);
    if (index < 0) return;
    this.current = stepId;
    this.problem = undefined;
    this.announcement = msg(str`Step ${index + 1} of ${steps.length}: ${steps[index]!.label}`);
    this.focus();
  }

  private next() {
    const steps = this.steps;
    const index = steps.findIndex((s) => s.id === this.current);
    const step = steps[index];
    if (!step) return;
    if (isAnswerStep(step)) {
      const problem = checkAnswer(step, this.effective()[step.id]);
      if (problem) {
        this.problem = { step: step.id, text: problemText(problem, this.locale) };
        this.focus();
        return;
      }
    }
    const following = steps[index + 1];
    if (following) this.go(following.id);
  }

  private back() {
    const steps = this.steps;
    const index = steps.findIndex((s) => s.id === this.current);
    if (index > 0) this.go(steps[index - 1]!.id);
  }

  /** Enter in a field goes on (Next, or Done on the last step), as in a form; a search keeps Enter for picking. */
  private onKeydown(e: KeyboardEvent, last: boolean) {
    if (e.key !== 'Enter' || e.defaultPrevented || e.isComposing) return;
    const target = e.composedPath()[0];
    if (!(target instanceof HTMLInputElement)) return;
    e.preventDefault();
    if (last) this.submit();
    else this.next();
  }

  private setAnswer(stepId: string, value: Answer) {
    const values = { ...this.values, [stepId]: value };
    // A step narrowed by this one (tasks within a project) must be answered again.
    for (const s of this.flow?.steps ?? [])
      if (
        s.kind === 'search' &&
        s.within === stepId &&
        answerValue(values[s.id]) !== undefined &&
        answerValue(this.values[stepId]) !== answerValue(value)
      )
        delete values[s.id];
    this.values = values;
    if (this.problem?.step === stepId) this.problem = undefined;
  }

  private searchFor(step: Extract<AnswerStep, { kind: 'search' }>): SearchFunction {
    const within = step.within ? answerValue(this.values[step.within]) : undefined;
    const key = `${step.id}|${within ?? ''}`;
    let fn = this.#searches.get(key);
    if (!fn) {
      fn = (q, signal, offset, parent) =>
        this.api!.search(q, signal, offset, parent, { step: step.id, ...(within ? { within } : {}) });
      this.#searches.set(key, fn);
    }
    return fn;
  }

  private renderStep(step: FlowStep) {
    const error = this.problem?.step === step.id ? this.problem.text : '';
    switch (step.kind) {
      case 'review':
        return renderReview(
          step.label,
          plannedWrites(this.flow!, this.effective()),
          this.flow!,
          this.fieldValues,
          this.effective(),
        );
      case 'search': {
        const chosen = this.values[step.id] as SearchItem | undefined;
        return html`<leu-search
            exportparts=${SEARCH_EXPORTPARTS}
            .label=${step.label}
            .help=${step.help ?? ''}
            .error=${error}
            .search=${this.searchFor(step)}
            .chosen=${chosen ?? null}
            @leu-select=${(e: ValueSelectEvent) => this.setAnswer(step.id, e.item)}
          ></leu-search>
          ${chosenLine(chosen)}`;
      }
      default:
        return html`<leu-field
          exportparts=${FIELD_EXPORTPARTS}
          .step=${step}
          .value=${answerValue(this.values[step.id]) ?? ''}
          .error=${error}
          .locale=${this.locale}
          @leu-answer=${(e: AnswerChangeEvent) => this.setAnswer(e.step, e.value)}
        ></leu-field>`;
    }
  }

  override render() {
    const steps = this.steps;
    const index = Math.max(
      0,
      steps.findIndex((s) => s.id === this.current),
    );
    const step = steps[index];
    if (!step) return nothing;
    const last = index === steps.length - 1;
    return html`
      <p class="progress" part="progress">${msg(str`Step ${index + 1} of ${steps.length}`)}</p>
      <div
        class="step"
        part="step"
        @keydown=${(e: KeyboardEvent) => this.onKeydown(e, last)}
        tabindex=${step.kind === 'review' ? '0' : nothing}
        role=${step.kind === 'review' ? 'region' : nothing}
        aria-labelledby=${step.kind === 'review' ? 'review' : nothing}
      >
        ${keyed(step.id, this.renderStep(step))}
      </div>
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
      <footer>
        <slot name="secondary"></slot>
        <span class="spacer"></span>
        ${
          index > 0
            ? html`<button part="back" ?disabled=${this.busy} @click=${() => this.back()}>${msg('Back')}</button>`
            : nothing
        }
        ${
          last
            ? html`<button part="done" class="primary" ?disabled=${this.busy} @click=${() => this.submit()}>
                ${msg('Done')}
              </button>`
            : html`<button part="next" class="primary" @click=${() => this.next()}>${msg('Next')}</button>`
        }
      </footer>
      ${this.failure !== undefined && !this.#failureOnStep ? failureAlert(this.failure, () => this.submit()) : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leu-wizard': LeuWizardElement;
  }
}
