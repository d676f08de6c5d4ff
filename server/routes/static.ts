// The built popup app under /app/, and the start page (the simulator in the sandbox, a status page otherwise).
import { serveStatic } from '@hono/node-server/serve-static';
import { factory, type AppDeps } from '../env.ts';
import { statusPage } from '../pages.ts';

export function staticRoutes(deps: Pick<AppDeps, 'config' | 'distDir' | 'sandbox'>) {
  const r = factory.createApp();
  r.use('/app/assets/*', async (c, next) => {
    await next();
    if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
  });
  r.use('/app/*', async (c, next) => {
    await next();
    if (c.res.headers.get('content-type')?.startsWith('text/html')) c.header('Cache-Control', 'no-store');
  });
  r.get('/app', (c) => c.redirect('/app/', 301));
  // The simulator's page is part of the build, but only the sandbox serves it.
  if (!deps.sandbox) r.all('/app/server/*', (c) => c.notFound());
  // The build leaves a .br and a .gz beside each of the popup's files: sent to browsers that accept them.
  r.use(
    '/app/*',
    serveStatic({ root: deps.distDir, precompressed: true, rewriteRequestPath: (p) => p.replace(/^\/app/, '') }),
  );
  if (!deps.sandbox) r.get('/', (c) => c.html(statusPage({ publicUrl: deps.config.publicUrl })));
  return r;
}
