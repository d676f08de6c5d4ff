// The parts each element shows, named once, and the exportparts lists built from them: an element that renders
// another passes its parts on (so a page styles them as leu-popup::part(input)), and a part one adds is passed on
// by every element that renders it.

/** <leu-search>'s parts. */
export const searchParts = ['label', 'input', 'listbox', 'option', 'match', 'error'] as const;
/** <leu-field>'s parts. */
export const fieldParts = ['label', 'input', 'option', 'error'] as const;
/** <leu-wizard>'s own parts; its steps' search and field parts pass through it. */
export const wizardParts = ['progress', 'step', 'back', 'next', 'done', 'alert'] as const;

/** An exportparts value: every part of the lists, each once, in the order first named. */
function exportparts(...lists: readonly (readonly string[])[]): string {
  return [...new Set(lists.flat())].join(', ');
}

/** exportparts for a <leu-search> rendered inside another element. */
export const SEARCH_EXPORTPARTS = exportparts(searchParts);
/** exportparts for a <leu-field> rendered inside another element. */
export const FIELD_EXPORTPARTS = exportparts(fieldParts);
/** exportparts for a <leu-wizard>: its own parts and those of its steps. */
export const WIZARD_EXPORTPARTS = exportparts(wizardParts, searchParts, fieldParts);
