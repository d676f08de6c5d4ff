// The companion server's /api as msw handlers for browser tests; fixtures are checked against the contract.
import { http, HttpResponse, delay } from 'msw';
import { setupWorker } from 'msw/browser';
import type {
  CatalogItem,
  CommitResponse,
  ErrorBody,
  Flow,
  SearchItem,
  SearchResponse,
  SessionClaim,
  SessionContext,
} from '../../src/contract/api.ts';
import type { ServerErrorCode } from '../../src/contract/error-codes.ts';

export const ITEMS = Array.from({ length: 30 }, (_, i) => ({
  code: `PRJ-${1001 + i}`,
  label: i === 9 ? 'Zürich data centre migration' : `Project ${1001 + i}`,
  detail: i % 2 ? 'Berlin' : 'Paris',
})) satisfies CatalogItem[];

export const CONTEXT = {
  item: { kind: 'ENTRY', expenseType: 'Taxi', amount: { value: 42.5, currency: 'EUR' }, date: '2026-11-12' },
  report: { name: 'November client visit', submitted: false, ownerEmployeeId: 'EMP-00042', onBehalfOfOwner: false },
  field: { id: 'custom12' },
  currentValue: null,
  currentItem: null,
  languageCode: 'en-GB',
  isMobile: false,
} satisfies SessionContext;

/** A wizard: project, task within it, billable?, a reason only when not billable, guests, visit date, review. */
export const FLOW = {
  title: 'Project and task',
  steps: [
    { id: 'project', kind: 'search', label: 'Project', required: true, writeTo: 'custom16', template: '{code}' },
    {
      id: 'task',
      kind: 'search',
      label: 'Task',
      required: true,
      writeTo: 'custom17',
      template: '{code}',
      within: 'project',
    },
    {
      id: 'billable',
      kind: 'choice',
      label: 'Can the client be billed?',
      required: true,
      writeTo: 'custom18',
      template: '{value}',
      options: [
        { value: 'Y', label: 'Yes, billable' },
        { value: 'N', label: 'No, not billable' },
      ],
    },
    {
      id: 'reason',
      kind: 'text',
      label: 'Why can it not be billed?',
      help: 'A short justification for the approver.',
      required: true,
      writeTo: 'custom19',
      template: '{value}',
      minLength: 5,
      maxLength: 48,
      when: { step: 'billable', equals: ['N'] },
    },
    {
      id: 'guests',
      kind: 'number',
      label: 'Number of guests',
      required: false,
      writeTo: 'custom20',
      template: '{value}',
      min: 1,
      max: 50,
      decimals: 0,
    },
    {
      id: 'visited',
      kind: 'date',
      label: 'Date of the visit',
      required: false,
      writeTo: 'custom21',
      template: '{value}',
      min: '2026-01-01',
      max: '2026-12-31',
    },
    { id: 'review', kind: 'review', label: 'Review' },
  ],
} satisfies Flow;

export const WIZARD_CONTEXT = {
  ...CONTEXT,
  field: { id: 'custom16' },
  flow: FLOW,
  prefill: {},
  fieldValues: { custom16: 'PRJ-1001', custom17: null, custom18: null, custom19: null, custom20: null, custom21: null },
} satisfies SessionContext;

/** Tasks by project, for the wizard's narrowed step. */
export const TASKS: Record<string, SearchItem[]> = {
  'PRJ-1001': [
    { code: 'T-1001-DES', label: 'Design' },
    { code: 'T-1001-DEV', label: 'Development' },
  ],
  'PRJ-1002': [{ code: 'T-1002-RES', label: 'Research' }],
};

export const TOKEN = 'session-token-for-browser-tests-0123456789';

/** Requests the fake API received, for assertions on what the browser sent. */
export const received: {
  method: string;
  path: string;
  search: string;
  authorization: string | null;
  body?: unknown;
}[] = [];

/** 1,000 rows for the query "many", served a page at a time. */
export const MANY = Array.from({ length: 1000 }, (_, i) => ({
  code: `BIG-${String(i + 1).padStart(4, '0')}`,
  label: `Large result ${i + 1}`,
}));

/** A connected list: regions, each with client projects; ids are written, short codes shown. */
const REGIONS: SearchItem[] = [
  { code: 'id-eu', display: 'EU', label: 'Europe', hasChildren: true },
  { code: 'id-am', display: 'AM', label: 'Americas', hasChildren: true },
];
const CLIENTS: Record<string, SearchItem[]> = {
  'id-eu': [
    { code: 'id-db', display: 'DB', label: 'Deutsche Bahn rollout' },
    { code: 'id-alz', display: 'ALZ', label: 'Allianz claims platform' },
  ],
  'id-am': [{ code: 'id-itau', display: 'ITAU', label: 'Banco Itaú payments' }],
};

export function search(q: string, offset = 0, limit = 50, parent?: string): SearchResponse {
  const f = q.trim().toLowerCase();
  if (parent) {
    const items = (CLIENTS[parent] ?? []).filter((i) => i.label.toLowerCase().includes(f));
    return { query: q, items, total: items.length, offset };
  }
  if (f === 'regions') return { query: q, items: REGIONS, total: REGIONS.length, offset };
  if (f === 'many') return { query: q, items: MANY.slice(offset, offset + limit), total: MANY.length, offset };
  const matches: SearchItem[] = ITEMS.filter((i) => `${i.code} ${i.label}`.toLowerCase().includes(f)).map((i) => {
    const at = i.label.toLowerCase().indexOf(f);
    const marked = f && at >= 0 ? { ...i, highlight: { label: [[at, at + f.length]] as [number, number][] } } : i;
    // One project is closed: listed greyed, with why.
    return i.code === 'PRJ-1013' ? { ...marked, inactive: 'closed on 30 June 2026' } : marked;
  });
  const recent = !f && offset === 0 ? [ITEMS[20]!] : undefined;
  return {
    query: q,
    items: matches.slice(offset, offset + limit),
    total: matches.length,
    offset,
    ...(recent ? { recent } : {}),
  };
}

/** The wizard's task step: the tasks of the project picked before (`within`) whose label matches. */
export function searchTasks(q: string, within: string | null): SearchResponse {
  const items = (TASKS[within ?? ''] ?? []).filter((i) => i.label.toLowerCase().includes(q.toLowerCase()));
  return { query: q, items, total: items.length, offset: 0 };
}

export const apiHandlers = [
  http.post('/api/session', () => HttpResponse.json({ token: TOKEN } satisfies SessionClaim)),
  http.get('/api/context', () => HttpResponse.json(CONTEXT)),
  http.get('/api/search', async ({ request }) => {
    const params = new URL(request.url).searchParams;
    const q = params.get('q') ?? '';
    if (q === 'slow') await delay(400);
    if (params.get('step') === 'task') return HttpResponse.json(searchTasks(q, params.get('within')));
    return HttpResponse.json(
      search(
        q,
        Number(params.get('offset') ?? 0),
        Number(params.get('limit') ?? 50),
        params.get('parent') ?? undefined,
      ),
    );
  }),
  http.post('/api/commit', async ({ request }) => {
    const body = (await request.json()) as { code: string } | { answers: Record<string, string> };
    if ('answers' in body) {
      const written = Object.entries(body.answers).map(([step, value]) => ({
        field: FLOW.steps.find((s) => s.id === step)!.writeTo!,
        value,
      }));
      return HttpResponse.json({
        field: written[0]!.field,
        value: written[0]!.value,
        written,
        correlationId: 'cid-ok',
      } satisfies CommitResponse);
    }
    return HttpResponse.json({
      field: 'custom12',
      value: body.code,
      written: [{ field: 'custom12', value: body.code }],
      correlationId: 'cid-ok',
    } satisfies CommitResponse);
  }),
];

export const errorBody = (code: ServerErrorCode, message: string, correlationId?: string) =>
  ({ error: { code, message, ...(correlationId ? { correlationId } : {}) } }) satisfies ErrorBody;

export const worker = setupWorker(...apiHandlers);

// Recorded from msw's lifecycle events, so a test's own handler overrides are recorded too.
worker.events.on('request:start', ({ request }) => {
  const url = new URL(request.url);
  if (!url.pathname.startsWith('/api/')) return;
  const entry: (typeof received)[number] = {
    method: request.method,
    path: url.pathname,
    search: url.search,
    authorization: request.headers.get('authorization'),
  };
  received.push(entry);
  if (request.method === 'POST')
    void request
      .clone()
      .json()
      .then(
        (b) => {
          entry.body = b;
        },
        () => undefined,
      );
});

export async function startWorker() {
  await worker.start({ quiet: true, onUnhandledFrame: 'error', serviceWorker: { url: '/mockServiceWorker.js' } });
}

/** In-memory stand-in for sessionStorage, so tests do not leak sessions into each other. */
export function memoryStorage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}
