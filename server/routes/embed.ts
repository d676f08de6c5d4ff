// The picker for other hosts, under /embed: the field and search API for <leu-picker> on an allowed page (CORS),
// the framed and popup page (/embed/v1/picker, framable only by the allowed origins), and the self-contained
// element bundle. The configuration's own company's picker is under /embed/v1, a registered company's under
// /embed/v1/companies/{id}, each with its own origins, fields and sources. Programs call all of it: every refusal
// is answered in JSON.
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
import type { Company } from '../companies/company.ts';
import { COMPANY_ID, companyScope, DEFAULT_COMPANY_ID } from '../companies/record.ts';
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

export function embedRoutes(deps: Pick<AppDeps, 'config' | 'metrics' | 'store' | 'distDir' | 'logger' | 'companies'>) {
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

  /**
   * One company's picker, under /embed/v1 for the configuration's own company and under
   * /embed/v1/companies/{id} for a registered one: its allowed origins, its embeddable fields, its sources.
   */
  const picker = factory.createApp();
  picker.use('*', async (c, next) => {
    if (!c.get('company').embed.origins.length) throw new EmbedOff();
    await next();
  });
  // No credentials: an embedding page never needs a cookie, so third-party cookie blocking changes nothing.
  picker.use(
    '*',
    cors({
      origin: (origin, c: Context<AppEnv>) => (c.get('company').embed.origins.includes(origin) ? origin : null),
      allowMethods: ['GET'],
      maxAge: 600,
    }),
  );
  /** Fields the embedding pages may search (its EMBED_FIELDS, lower case), and set up in its fields configuration. */
  const embeddable = (company: Company, field: string) => {
    if (!company.embed.fields.includes(field.toLowerCase()) || !company.sources.canonical(field))
      throw new FieldNotEmbeddable(field);
  };

  picker.get('/config', (c) => c.json({ allowedOrigins: c.get('company').embed.origins }));

  const fieldParam = validated('param', z.object({ field: FieldId }));

  picker.get('/fields/:field', fieldParam, validated('query', z.object({ lang: LanguageCode })), (c) => {
    const { field } = c.req.valid('param');
    const { lang } = c.req.valid('query');
    const { sources } = c.get('company');
    embeddable(c.get('company'), field);
    const flow = sources.flowFor(field);
    const body: EmbedField = flow
      ? { field, title: localText(flow.title, lang), languageCode: lang, flow: resolveFlow(flow, lang) }
      : { field, title: sources.forField(field)!.title, languageCode: lang };
    return c.json(body);
  });

  picker.get(
    '/fields/:field/search',
    deps.metrics.timeSearches('embed'),
    // Counted per client address, under the company's scope.
    searchLimit(deps, 'embed', (c) => companyScope(c.get('company').id) + clientAddress(c, deps.config.trustProxyHops)),
    fieldParam,
    validated('query', EmbedSearchRequest),
    async (c) => {
      const { field } = c.req.valid('param');
      const request = c.req.valid('query');
      const company = c.get('company');
      embeddable(company, field);
      const search = fieldSearch(company.sources, field, request, embedContext(field, request.lang));
      if (search.source.needsLaunchContext)
        throw new SourceUnavailable(
          `${search.source.title} needs to know who the user is, which only a launch from Concur tells: ` +
            'it cannot be searched from another page.',
        );
      return c.json(await searchPage(search, request));
    },
  );
  /** The picker as a page, for an iframe or a popup window; it answers its host over a MessageChannel. */
  picker.get('/picker', ...built('/embed.html', 'no-store'));
  /** The elements in one self-contained module, for pages without a bundler (the same file for every company). */
  picker.get('/leu-elements.js', ...built('/embed/leu-elements.js', 'public, max-age=300'));

  const r = factory.createApp();
  r.onError(jsonErrors(deps.logger));
  // A registered company, by the id onboarding gave it: nothing here reaches another company's fields.
  r.use('/v1/companies/:company/*', async (c, next) => {
    const id = c.req.param('company') ?? '';
    const company = COMPANY_ID.test(id) ? await deps.companies.get(id) : undefined;
    if (!company || company.id === DEFAULT_COMPANY_ID) throw new NotFound();
    c.set('company', company);
    await next();
  });
  r.route('/v1/companies/:company', picker);
  r.use('/v1/*', async (c, next) => {
    if (c.req.path.startsWith('/embed/v1/companies/')) return next();
    const company = await deps.companies.get(DEFAULT_COMPANY_ID);
    if (!company) throw new EmbedOff();
    c.set('company', company);
    await next();
  });
  r.route('/v1', picker);

  r.all('*', () => {
    throw new NotFound();
  });
  return r;
}
