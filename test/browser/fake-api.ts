// The companion server's /api as msw handlers for browser tests; fixtures are checked against the contract.
import { http, HttpResponse, delay } from 'msw';
import { setupWorker } from 'msw/browser';
import type { CatalogItem, CommitResponse, ErrorBody, SearchResponse, SessionClaim, SessionContext } from '../../src/contract/api.js';

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

export const TOKEN = 'session-token-for-browser-tests-0123456789';

/** Requests the fake API received, for assertions on what the browser sent. */
export const received: { method: string; path: string; search: string; authorization: string | null; body?: unknown }[] = [];

export function search(q: string): SearchResponse {
  const f = q.trim().toLowerCase();
  const items = ITEMS.filter((i) => `${i.code} ${i.label}`.toLowerCase().includes(f));
  return { query: q, items, total: items.length, offset: 0 };
}

export const apiHandlers = [
  http.post('/api/session', () => HttpResponse.json({ token: TOKEN } satisfies SessionClaim)),
  http.get('/api/context', () => HttpResponse.json(CONTEXT)),
  http.get('/api/search', async ({ request }) => {
    const q = new URL(request.url).searchParams.get('q') ?? '';
    if (q === 'slow') await delay(400);
    return HttpResponse.json(search(q));
  }),
  http.post('/api/commit', async ({ request }) => {
    const { code } = (await request.json()) as { code: string };
    return HttpResponse.json({ field: 'custom12', value: code, correlationId: 'cid-ok' } satisfies CommitResponse);
  }),
];

export const errorBody = (code: string, message: string, correlationId?: string) =>
  ({ error: { code, message, ...(correlationId ? { correlationId } : {}) } }) satisfies ErrorBody;

export const worker = setupWorker(...apiHandlers);

// Recorded from msw's lifecycle events, so a test's own handler overrides are recorded too.
worker.events.on('request:start', ({ request }) => {
  const url = new URL(request.url);
  if (!url.pathname.startsWith('/api/')) return;
  const entry: (typeof received)[number] = { method: request.method, path: url.pathname, search: url.search, authorization: request.headers.get('authorization') };
  received.push(entry);
  if (request.method === 'POST') void request.clone().json().then((b) => { entry.body = b; }, () => undefined);
});

export async function startWorker() {
  await worker.start({ quiet: true, onUnhandledRequest: 'error', serviceWorker: { url: '/mockServiceWorker.js' } });
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
