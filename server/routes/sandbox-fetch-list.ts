// POST /sandbox/fetch-list: what Concur's list control does when a user types in a list field the Fetch List callout
// fills. The simulated form asks here (the connector's pair must never reach a browser); this route posts the
// <fetch-list-request> Concur would post, with the sandbox company's Basic pair, through the whole app, and hands
// back Concur's answer as it came: the XML, for the form to read as Concur reads it.
import { z } from 'zod';
import { factory, type AppDeps } from '../env.ts';
import { validated } from './validation.ts';
import { DEFAULT_FETCH_LIST_PATH } from '../fetch-list/config.ts';
import { escapeXml } from '../fetch-list/xml.ts';
import { MAX_QUERY_LENGTH } from '../sources/search-index.ts';

/** What the simulated list field sends: the list, the codes picked at the levels above, what is typed. */
export const SandboxListSearch = z
  .object({
    list: z.string().max(200),
    parents: z.array(z.string().min(1).max(100)).max(9).default([]),
    query: z.string().max(MAX_QUERY_LENGTH).default(''),
    searchBy: z.enum(['TEXT', 'CODE']).default('TEXT'),
    limit: z.number().int().min(1).max(1000).default(25),
  })
  .strict();
export type SandboxListSearch = z.infer<typeof SandboxListSearch>;

/** The request Concur posts (protocol sheet §9), element for element. */
export function fetchListRequestXml(s: SandboxListSearch): string {
  const e = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;
  const levels = s.parents.map((code, i) => e(`level${i + 1}`, code)).join('');
  return (
    '<?xml version="1.0" ?><fetch-list-request>' +
    e('long-code', s.parents.join('-')) +
    e('short-code', s.parents.at(-1) ?? '') +
    e('query', s.query) +
    e('search-by', s.searchBy) +
    e('lang-code', 'EN') +
    e('num-to-return', String(s.limit)) +
    '<protected-list-key />' +
    e('list-name', s.list) +
    '<connector-version /><config-options />' +
    (levels ? `<code-by-level>${levels}</code-by-level>` : '') +
    '</fetch-list-request>'
  );
}

/** `dispatch` sends a request through the whole app, as if it had come from Concur. */
export function sandboxFetchListRoutes(
  deps: Pick<AppDeps, 'config' | 'sources'>,
  dispatch: (request: Request) => Response | Promise<Response>,
) {
  return factory.createApp().post('/sandbox/fetch-list', validated('json', SandboxListSearch), async (c) => {
    // The sandbox always has its own company (SANDBOX_DEFAULTS).
    const { username, password } = deps.config.connector!;
    const path = deps.sources.fetchList()?.path ?? DEFAULT_FETCH_LIST_PATH;
    const answer = await dispatch(
      new Request(`${deps.config.publicUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
          'content-type': 'application/xml; charset=utf-8',
        },
        body: fetchListRequestXml(c.req.valid('json')),
      }),
    );
    c.header('Cache-Control', 'no-store');
    return c.body(await answer.text(), answer.status as 200, { 'Content-Type': 'application/xml; charset=utf-8' });
  });
}
