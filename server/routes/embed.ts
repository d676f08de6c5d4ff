// The picker for other hosts, under /embed: the field and search API for <leu-picker> on an allowed page (CORS),
// the framed and popup page (/embed/v1/picker, framable only by the allowed origins), and the self-contained
// element bundle. Programs call all of it: every refusal is answered in JSON.
import type { Context, Next } from 'hono';
import { cors } from 'hono/cors';
import { z } from 'zod';
import { serveStatic } from '@hono/node-server/serve-static';
import { factory, type AppDeps, type AppEnv } from '../env.ts';
import { EmbedSearchRequest, LanguageCode, type EmbedField } from '../../src/contract/api.ts';
import type { SearchContext } from '../sources/source.ts';
import { localText, resolveFlow } from '../fields/flows.ts';
import { FieldId } from '../fields/flows.ts';
import { EmbedOff, FieldNotEmbeddable, NotBuilt, NotFound, SourceUnavailable } from '../errors.ts';
import { jsonErrors } from '../error-handler.ts';
import { clientAddress, searchLimit } from '../rate-limits.ts';
import { fieldSearch, searchPage } from '../sources/search.ts';
import { validated } from './validation.ts';

/**
 * An embedding page has no Concur launch: no user, no item, no Concur token. Context filters then hide what they
 * cannot judge (strictContext), and sources that need the user refuse.
 */
const embedContext = (fieldId: string, languageCode: string): SearchContext => ({
  fieldId,
  companyDomain: '',
  loggedInUserId: '',
  reportOwnerUserId: '',
  employeeId: '',
  languageCode,
  strictContext: true,
});

export function embedRoutes(deps: Pick<AppDeps, 'config' | 'sources' | 'metrics' | 'store' | 'distDir' | 'logger'>) {
  const allowed = deps.config.embedOrigins;
  /** Fields the embedding pages may search (EMBED_FIELDS, lower case), and set up in the fields configuration. */
  const embeddable = (field: string) => {
    if (!deps.config.embedFields.includes(field.toLowerCase()) || !deps.sources.canonical(field))
      throw new FieldNotEmbeddable(field);
  };
  const r = factory.createApp();
  r.onError(jsonErrors(deps.logger));

  r.use('*', async (_c, next) => {
    if (!allowed.length) throw new EmbedOff();
    await next();
  });
  // No credentials: an embedding page never needs a cookie, so third-party cookie blocking changes nothing.
  r.use(
    '/v1/*',
    cors({ origin: (origin) => (allowed.includes(origin) ? origin : null), allowMethods: ['GET'], maxAge: 600 }),
  );

  r.get('/v1/config', (c) => c.json({ allowedOrigins: allowed }));

  const fieldParam = validated('param', z.object({ field: FieldId }));

  r.get('/v1/fields/:field', fieldParam, validated('query', z.object({ lang: LanguageCode })), (c) => {
    const { field } = c.req.valid('param');
    const { lang } = c.req.valid('query');
    embeddable(field);
    const flow = deps.sources.flowFor(field);
    const body: EmbedField = flow
      ? { field, title: localText(flow.title, lang), languageCode: lang, flow: resolveFlow(flow, lang) }
      : { field, title: deps.sources.forField(field)!.title, languageCode: lang };
    return c.json(body);
  });

  r.get(
    '/v1/fields/:field/search',
    deps.metrics.timeSearches('embed'),
    searchLimit(deps, 'embed', (c) => clientAddress(c, deps.config.trustProxyHops)),
    fieldParam,
    validated('query', EmbedSearchRequest),
    async (c) => {
      const { field } = c.req.valid('param');
      const request = c.req.valid('query');
      embeddable(field);
      const search = fieldSearch(deps.sources, field, request, embedContext(field, request.lang));
      if (search.source.needsLaunchContext)
        throw new SourceUnavailable(
          `${search.source.title} needs to know who the user is, which only a launch from Concur tells: ` +
            'it cannot be searched from another page.',
        );
      return c.json(await searchPage(search, request));
    },
  );

  /** A file of the built browser app, with its cache rule; a 503 that says so until it is built. */
  const built = (file: string, cacheControl: string) =>
    [
      async (c: Context<AppEnv>, next: Next) => {
        await next();
        if (c.res.ok) c.header('Cache-Control', cacheControl);
      },
      serveStatic({ root: deps.distDir, rewriteRequestPath: () => file }),
      () => {
        throw new NotBuilt(file);
      },
    ] as const;
  /** The picker as a page, for an iframe or a popup window; it answers its host over a MessageChannel. */
  r.get('/v1/picker', ...built('/embed.html', 'no-store'));
  /** The elements in one self-contained module, for pages without a bundler. */
  r.get('/v1/leu-elements.js', ...built('/embed/leu-elements.js', 'public, max-age=300'));

  r.all('*', () => {
    throw new NotFound();
  });
  return r;
}
