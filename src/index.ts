// The element library's one entry (dist/lib/index.js, types in dist/lib/index.d.ts, custom-elements.json beside
// it). Each element registers its tag when its module loads; import only what you use and the rest is shaken off.
export { LeuPickerElement } from './elements/leu-picker.js';
export { LeuSearchElement, type SearchFunction } from './elements/leu-search.js';
export { LeuWizardElement } from './elements/leu-wizard.js';
export { LeuFieldElement } from './elements/leu-field.js';
export { LeuPopupElement } from './elements/leu-popup.js';
export { AnswerChangeEvent, PickerChooseEvent, PopupCloseEvent, ValueSelectEvent, WizardSubmitEvent, type PickerChoice } from './elements/events.js';
export { createEmbedClient, embedConfig, type EmbedClient } from './api/embed.js';
export { createApiClient, type ApiClient, type ApiClientOptions, type SearchScope } from './api/client.js';
export { ApiError } from './api/api-error.js';
export { connectPicker, HostLink, PickerError, PROTOCOL_VERSION, type ConnectOptions, type PickerMessage, type PickerResult } from './embed/protocol.js';
export { getLocale, intlLocale, pickLocale, setLocale } from './i18n/locale.js';
export type { CatalogItem, EmbedField, FieldWrite, Flow, FlowStep, SearchItem, SearchResponse } from './contract/api.js';
