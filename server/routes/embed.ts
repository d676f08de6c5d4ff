// The picker for other hosts: the field and search API for <leu-picker> on an allowed page (CORS), the framed
// and popup page (/embed/v1/picker, framable only by the allowed origins), and the self-contained element bundle.
import { Hono, type Context, type Next } from 'hono';
import { cors } from 'hono/cors';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { serveStatic } from '@hono/node-server/serve-static';
import type { AppDeps, AppEnv } from '../env.ts';
import type { EmbedField, ErrorBody } from '../../src/contract/api.ts';
import type { SearchContext } from '../sources/source.ts';
import { localText, resolveFlow } from '../fields/flows.ts';
import { FieldId } from '../fields/flows.ts';
import { SourceUnavailable } from '../errors.ts';
import { clientAddress, searchLimit } from '../rate-limits.ts';
import { SEARCH_DEADLINE_MS, searchPage, searchSource } from '../sources/search.ts';
import { SearchQuery, invalid } from './validation.ts';

const Lang = z
  .string()
  .regex(/^[a-z]{2,3}([-_][A-Za-z]{2,4})?$/)
  .catch('en')
  .default('en');

/** The popup's search query, and the language the results are labelled in. */
const EmbedSearchQuery = SearchQuery.extend({ lang: Lang });

/**
 * An embedding page has no Concur launch: no user, no item, no Concur token. Context filters then hide what they
 * cannot judge (strictContext), and sources that need the user refuse.
 */
const embedContext = (fieldId: string, languageCode: string, within?: string): SearchContext => ({
  fieldId,
  companyDomain: '',
  loggedInUserId: '',
  reportOwnerUserId: '',
  employeeId: '',
  languageCode,
  strictContext: true,
  ...(within ? { within } : {}),
});

const notEmbeddable = (field: string) =>
  ({
    error: {
      code: 'field_not_embeddable',
      message:
        `The field ${field} is not offered to other pages ` +
        '(it must be in EMBED_FIELDS and set up in the fields configuration).',
    },
  }) satisfies ErrorBody;

export function embedRoutes(deps: AppDeps) {
  const allowed = deps.config.embedOrigins;
  /** Fields the embedding pages may search (EMBED_FIELDS, lower case). */
  const embeddable = new Set(deps.config.embedFields);
  const r = new Hono<AppEnv>();

  r.use('/embed/*', async (c, next) => {
    if (!allowed.length) {
      return c.json(
        {
          error: {
            code: 'embed_off',
            message:
              'Embedding is off: set EMBED_ALLOWED_ORIGINS to the origins of the pages that may embed the picker.',
          },
        } satisfies ErrorBody,
        404,
      );
    }
    await next();
  });
  // No credentials: an embedding page never needs a cookie, so third-party cookie blocking changes nothing.
  r.use(
    '/embed/v1/*',
    cors({ origin: (origin) => (allowed.includes(origin) ? origin : null), allowMethods: ['GET'], maxAge: 600 }),
  );

  r.get('/embed/v1/config', (c) => c.json({ allowedOrigins: allowed }));

  r.get(
    '/embed/v1/fields/:field',
    zValidator('param', z.object({ field: FieldId }), invalid),
    zValidator('query', z.object({ lang: Lang }), invalid),
    (c) => {
      const { field } = c.req.valid('param');
      const { lang } = c.req.valid('query');
      if (!embeddable.has(field.toLowerCase()) || !deps.sources.canonical(field))
        return c.json(notEmbeddable(field), 404);
      const flow = deps.sources.flowFor(field);
      const body: EmbedField = flow
        ? { field, title: localText(flow.title, lang), languageCode: lang, flow: resolveFlow(flow, lang) }
        : { field, title: deps.sources.forField(field)!.title, languageCode: lang };
      return c.json(body);
    },
  );

  r.use(
    '/embed/v1/fields/:field/search',
    deps.metrics.timeSearches('embed'),
    searchLimit(deps, 'embed', (c) => clientAddress(c, deps.config.trustProxyHops)),
  );

  r.get(
    '/embed/v1/fields/:field/search',
    zValidator('param', z.object({ field: FieldId }), invalid),
    zValidator('query', EmbedSearchQuery, invalid),
    async (c) => {
      const { field } = c.req.valid('param');
      const { step, within, lang, ...request } = c.req.valid('query');
      if (!embeddable.has(field.toLowerCase()) || !deps.sources.canonical(field))
        return c.json(notEmbeddable(field), 404);
      const source = searchSource(deps.sources, field, step);
      if (source.needsLaunchContext)
        throw new SourceUnavailable(
          `${source.title} needs to know who the user is, which only a launch from Concur tells: ` +
            'it cannot be searched from another page.',
        );
      const signal = AbortSignal.timeout(SEARCH_DEADLINE_MS);
      return c.json(await searchPage(source, request, embedContext(field, lang, within), signal));
    },
  );

  /** The picker as a page, for an iframe or a popup window; it answers its host over a MessageChannel. */
  const built = (file: string, cacheControl: string) =>
    [
      async (c: Context<AppEnv>, next: Next) => {
        await next();
        if (c.res.ok) c.header('Cache-Control', cacheControl);
      },
      serveStatic({ root: deps.distDir, rewriteRequestPath: () => file }),
      (c: Context<AppEnv>) =>
        c.json(
          {
            error: { code: 'not_built', message: `${file} has not been built: run npm run build.` },
          } satisfies ErrorBody,
          503,
        ),
    ] as const;
  r.get('/embed/v1/picker', ...built('/embed.html', 'no-store'));
  /** The elements in one self-contained module, for pages without a bundler. */
  r.get('/embed/v1/leu-elements.js', ...built('/embed/leu-elements.js', 'public, max-age=300'));

  return r;
}
