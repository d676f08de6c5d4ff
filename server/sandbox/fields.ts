// The sandbox's fields configuration (used when it runs without FIELDS_FILE): one Launch URL field per kind of
// source, so each can be tried in the simulator.
import type { FieldsFile } from '../sources/fields.js';
import { SANDBOX_EXTRA_FIELDS, SANDBOX_LIST } from './concur-state.js';

export const SANDBOX_FIELDS_FILE: FieldsFile = {
  sources: {
    projects: {
      type: 'catalog',
      title: 'the project list',
      // Projects closed before the expense's date are listed greyed, with the date they closed.
      filters: [{ column: 'valid_to', onOrAfter: '{date}', otherwise: 'inactive', reason: 'closed on {value}' }],
    },
    trips: { type: 'concur-request', title: 'your travel requests', view: 'ALL' },
    clients: { type: 'concur-list', title: 'the client project list', listId: SANDBOX_LIST.id },
  },
  fields: { [SANDBOX_EXTRA_FIELDS.trip.id]: 'trips', [SANDBOX_EXTRA_FIELDS.clientProject.id]: 'clients' },
  default: 'projects',
};
