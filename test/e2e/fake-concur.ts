// The fake Concur as a real HTTP server on loopback (msw's handlers answer each request), for servers that are
// separate instances or processes and cannot share an in-process msw interception.
import { getResponse } from 'msw';
import { CLIENT, EXPENSE_ID, launchQuery, type LaunchOptions } from '../server/helpers.ts';
import { SandboxConcur, SANDBOX_USER } from '../../server/sandbox/concur-state.ts';
import { concurHandlers } from '../../server/sandbox/concur-handlers.ts';
import { serveOnLoopback } from '../net.ts';

export interface FakeConcurServer {
  url: string;
  concur: SandboxConcur;
  /** A signed launch for the test expense's custom12, its item on this server. */
  launch(opts?: LaunchOptions): URLSearchParams;
  close(): Promise<void>;
}

export async function startFakeConcur(): Promise<FakeConcurServer> {
  // The handlers need the server's address, which is known once it listens.
  let handlers: ReturnType<typeof concurHandlers> = [];
  const server = await serveOnLoopback(
    async (request) =>
      (await getResponse(handlers, request)) ??
      Response.json({ errorMessage: 'no such fake Concur API' }, { status: 404 }),
  );
  const { url } = server;
  const concur = new SandboxConcur({
    base: url,
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    redirectUri: CLIENT.redirect,
  });
  handlers = concurHandlers(concur);
  const item =
    `${url}/expensereports/v4/users/${SANDBOX_USER.id}/context/TRAVELER` +
    `/reports/764428DD6A664AF0BFCB/expenses/${EXPENSE_ID}`;
  return {
    url,
    concur,
    launch: (opts = {}) => launchQuery(concur, { ...opts, signed: { item_url: item, ...opts.signed } }),
    close: () => server.close(),
  };
}
