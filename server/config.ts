// The connector's configuration: one zod schema over the environment, with messages that name the variable.
import { z } from 'zod';
import { fileURLToPath } from 'node:url';

export const SAMPLE_CATALOG = fileURLToPath(new URL('./sources/sample-catalog.csv', import.meta.url));

/** Defaults used when no CONCUR_CLIENT_ID is set and the built-in sandbox stands in for Concur. */
export const SANDBOX_DEFAULTS = {
  connectorUsername: 'SandboxConnector',
  connectorPassword: 'sandbox-Passw0rd!',
  clientId: 'sandbox-client-id',
  clientSecret: 'sandbox-client-secret',
} as const;

const credential = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .refine((v) => v.length >= 10 && v.length <= 50, `${name} must be 10 to 50 characters, as Concur requires`);

const hostEntry = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:\d{1,5})?$/, 'each entry must be host or host:port, without a scheme or path');

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'PUBLIC_URL must be an http(s) URL' }).optional(),
  CONNECTOR_USERNAME: z.string().optional(),
  CONNECTOR_PASSWORD: z.string().optional(),
  CONCUR_CLIENT_ID: z.string().trim().min(1).optional(),
  CONCUR_CLIENT_SECRET: z.string().optional(),
  CONCUR_REDIRECT_URI: z.url({ protocol: /^https?$/, error: 'CONCUR_REDIRECT_URI must be an http(s) URL' }).optional(),
  CONCUR_TOKEN_BASE: z.url({ protocol: /^https?$/, error: 'CONCUR_TOKEN_BASE must be an http(s) URL' }).optional(),
  CONCUR_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(hostEntry)),
  CATALOG_FILE: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  /** Origin (and optional path prefix) the outside world uses to reach us, without a trailing slash. */
  publicUrl: string;
  sandbox: boolean;
  connector: { username: string; password: string };
  oauth: { clientId: string; clientSecret: string; redirectUri: string; tokenBase: string };
  extraAllowedHosts: string[];
  catalogFile: string;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const stripSlash = (url: string) => url.replace(/\/+$/, '');

/** Builds the configuration, or throws a ConfigError whose message names the variable and the problem. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`${String(issue.path[0] ?? 'configuration')}: ${issue.message}`);
  }
  const e = parsed.data;
  const sandbox = e.CONCUR_CLIENT_ID === undefined;
  const publicUrl = stripSlash(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`);

  const check = <T>(name: string, schema: z.ZodType<T>, value: unknown): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new ConfigError(`${name}: ${r.error.issues[0]!.message}`);
    return r.data;
  };
  const username = check('CONNECTOR_USERNAME', credential('CONNECTOR_USERNAME'),
    e.CONNECTOR_USERNAME ?? (sandbox ? SANDBOX_DEFAULTS.connectorUsername : undefined));
  const password = check('CONNECTOR_PASSWORD', credential('CONNECTOR_PASSWORD'),
    e.CONNECTOR_PASSWORD ?? (sandbox ? SANDBOX_DEFAULTS.connectorPassword : undefined));

  let oauth: Config['oauth'];
  if (sandbox) {
    oauth = {
      clientId: SANDBOX_DEFAULTS.clientId,
      clientSecret: SANDBOX_DEFAULTS.clientSecret,
      redirectUri: e.CONCUR_REDIRECT_URI ?? `${publicUrl}/oauth/redirect`,
      tokenBase: stripSlash(e.CONCUR_TOKEN_BASE ?? `${publicUrl}/sandbox/concur`),
    };
  } else {
    if (!e.CONCUR_CLIENT_SECRET) throw new ConfigError('CONCUR_CLIENT_SECRET: is required when CONCUR_CLIENT_ID is set');
    if (!e.CONCUR_REDIRECT_URI) throw new ConfigError('CONCUR_REDIRECT_URI: is required when CONCUR_CLIENT_ID is set (the Redirect URL entered on the LEU service configuration)');
    oauth = {
      clientId: e.CONCUR_CLIENT_ID!,
      clientSecret: e.CONCUR_CLIENT_SECRET,
      redirectUri: e.CONCUR_REDIRECT_URI,
      tokenBase: stripSlash(e.CONCUR_TOKEN_BASE ?? 'https://us.api.concursolutions.com'),
    };
  }

  const extraAllowedHosts = [...e.CONCUR_ALLOWED_HOSTS];
  // The sandbox's fake Concur lives on this server, so its own host must be allowed to receive sandbox tokens.
  if (sandbox) extraAllowedHosts.push(new URL(publicUrl).host);

  return {
    port: e.PORT,
    // The sandbox is a developer tool: keep it on loopback unless told otherwise.
    host: e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0'),
    publicUrl,
    sandbox,
    connector: { username, password },
    oauth,
    extraAllowedHosts,
    catalogFile: e.CATALOG_FILE ?? SAMPLE_CATALOG,
    logLevel: e.LOG_LEVEL,
  };
}
