// Registers every element, for pages that use the tags in HTML without referring to the classes:
// import '<package>/define'. (The package's main entry registers an element only when its class is used.)
import { LeuFieldElement } from './elements/leu-field.ts';
import { LeuPickerElement } from './elements/leu-picker.ts';
import { LeuPopupElement } from './elements/leu-popup.ts';
import { LeuSearchElement } from './elements/leu-search.ts';
import { LeuWizardElement } from './elements/leu-wizard.ts';

export const ELEMENTS = [
  LeuPickerElement,
  LeuSearchElement,
  LeuWizardElement,
  LeuFieldElement,
  LeuPopupElement,
] as const;
// A statement a bundler must keep: it holds on to every class, and with it every tag's registration.
for (const element of ELEMENTS) if (typeof element !== 'function') throw new Error('An element failed to load.');
