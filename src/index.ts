// The element library's one entry (dist/lib/index.js, types in dist/lib/index.d.ts, custom-elements.json beside
// it). Each element registers its tag when its module loads; import only what you use and the rest is shaken off.
export { LeuPickerElement } from './elements/leu-picker.ts';
export { LeuSearchElement, type SearchFunction } from './elements/leu-search.ts';
export { LeuWizardElement } from './elements/leu-wizard.ts';
export { LeuFieldElement } from './elements/leu-field.ts';
export { LeuPopupElement } from './elements/leu-popup.ts';
export {
  AnswerChangeEvent,
  PickerChooseEvent,
  PopupCloseEvent,
  ValueSelectEvent,
  WizardSubmitEvent,
  type PickerChoice,
} from './elements/events.ts';
export { createEmbedClient, embedConfig, type EmbedClient } from './api/embed.ts';
export { createApiClient, type ApiClient, type ApiClientOptions, type SearchScope } from './api/client.ts';
export { ApiError } from './api/api-error.ts';
export {
  connectPicker,
  HostLink,
  PickerError,
  PROTOCOL_VERSION,
  type ConnectOptions,
  type PickerMessage,
  type PickerResult,
} from './embed/protocol.ts';
export { getLocale, intlLocale, pickLocale, setLocale } from './i18n/locale.ts';
export type {
  CatalogItem,
  EmbedField,
  FieldWrite,
  Flow,
  FlowStep,
  SearchItem,
  SearchResponse,
} from './contract/api.ts';
