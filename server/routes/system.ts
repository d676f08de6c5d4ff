// GET /system/v1.0/testconnection: what Concur's "Test Connection" button calls, with HTTP Basic.
import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import type { AppDeps, AppEnv } from '../app.js';

export function systemRoutes(deps: AppDeps) {
  const { username, password } = deps.config.connector;
  return new Hono<AppEnv>().get(
    '/system/v1.0/testconnection',
    // Hono's basicAuth compares both values through a hash in constant time and answers 401 with
    // WWW-Authenticate when they do not match.
    basicAuth({ username, password, realm: 'Concur connector' }),
    (c) => c.text('OK'),
  );
}
