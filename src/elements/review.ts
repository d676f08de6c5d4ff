// The review step's content: exactly what Done will write to which field, beside what the field holds now.
import { html, nothing } from 'lit';
import { msg, str } from '@lit/localize';
import type { Flow } from '../contract/api.ts';
import type { Answers, PlannedWrite } from '../flows/wizard.ts';

export function renderReview(
  title: string,
  writes: PlannedWrite[],
  flow: Flow,
  fieldValues: Record<string, string | null>,
  answers: Answers,
) {
  const labelOf = (stepId: string) => flow.steps.find((s) => s.id === stepId)?.label ?? stepId;
  return html`<h2 id="review" tabindex="-1">${title}</h2>
    ${
      writes.length
        ? html`<p class="lead">${msg('Done writes these values to the expense:')}</p>
            <dl aria-labelledby="review">
              ${writes.map((w) => {
                const before = fieldValues[w.field] ?? null;
                const answer = answers[w.step];
                const label = typeof answer === 'object' && !w.value.includes(answer.label) ? answer.label : '';
                return html`<div>
                  <dt>${labelOf(w.step)} <span class="field">${msg(str`(field ${w.field})`)}</span></dt>
                  <dd><strong>${w.value}</strong>${label ? html` <span class="was">${label}</span>` : nothing}</dd>
                  <dd class="was">
                    ${before === w.value ? msg('Unchanged') : before ? msg(str`Now: ${before}`) : msg('Now empty')}
                  </dd>
                </div>`;
              })}
            </dl>`
        : html`<p class="lead">
            ${msg('There is nothing to write: no question that fills a field has been answered.')}
          </p>`
    }`;
}
