// Renders text with its matched ranges marked, for search results.
import { html, nothing, type TemplateResult } from 'lit';

/** `text` with each [start, end) range wrapped in <mark part="match">. */
export function highlighted(
  text: string,
  ranges: readonly (readonly [number, number])[] | undefined,
): TemplateResult | string {
  if (!ranges?.length) return text;
  const parts: (TemplateResult | string)[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start < at || end > text.length || start >= end) continue;
    parts.push(text.slice(at, start), html`<mark part="match">${text.slice(start, end)}</mark>`);
    at = end;
  }
  parts.push(text.slice(at));
  return html`${parts}${nothing}`;
}
