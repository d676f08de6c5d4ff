// The connector's configuration: one zod schema over the environment, with messages that name the variable.
import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseKey } from './crypto/secret-box.ts';
import { CONCUR_REVOKE_HOST, CONCUR_TOKEN_HOST, LOOPBACK } from './concur/hosts.ts';
import { FIELD_ID } from '../src/contract/field-id.ts';
import { isRedisUrl, parseRedisUrl } from './store/redis-connection.ts';

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

/** A comma-separated list (spaces around entries ignored, empty entries dropped), each entry checked by `item`. */
const commaList = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

export const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'PUBLIC_URL must be an http(s) URL' }).optional(),
  CONNECTOR_USERNAME: z.string().optional(),
  CONNECTOR_PASSWORD: z.string().optional(),
  CONCUR_CLIENT_ID: z.string().trim().min(1).optional(),
  CONCUR_CLIENT_SECRET: z.string().optional(),
  CONCUR_REDIRECT_URI: z.url({ protocol: /^https?$/, error: 'CONCUR_REDIRECT_URI must be an http(s) URL' }).optional(),
  CONCUR_TOKEN_BASE: z.url({ protocol: /^https?$/, error: 'CONCUR_TOKEN_BASE must be an http(s) URL' }).optional(),
  CONCUR_ALLOWED_HOSTS: commaList(hostEntry),
  CONCUR_API_BASE: z.url({ protocol: /^https?$/, error: 'CONCUR_API_BASE must be an http(s) URL' }).optional(),
  /** The App Center landing page links these (Concur requires a privacy policy and a support page). */
  CONNECT_PRIVACY_URL: z.url({ protocol: /^https?$/, error: 'CONNECT_PRIVACY_URL must be an http(s) URL' }).optional(),
  CONNECT_SUPPORT_URL: z.url({ protocol: /^https?$/, error: 'CONNECT_SUPPORT_URL must be an http(s) URL' }).optional(),
  CONNECT_TERMS_URL: z.url({ protocol: /^https?$/, error: 'CONNECT_TERMS_URL must be an http(s) URL' }).optional(),
  /** The name the landing page and the popup give the product. */
  APP_NAME: z.string().trim().min(1).max(80).default('Launch URL connector'),
  /** Bearer token for the administrator's endpoints (/ops/company, disconnecting the company). */
  ADMIN_TOKEN: z.string().min(24, 'ADMIN_TOKEN must be at least 24 characters').optional(),
  TOKEN_ENCRYPTION_KEY: z.string().optional(),
  CATALOG_FILE: z.string().min(1).optional(),
  FIELDS_FILE: z.string().min(1).optional(),
  /**
   * Without FIELDS_FILE: the Launch URL fields (comma-separated) that search CATALOG_FILE; no other field is served.
   */
  CATALOG_FIELDS: commaList(z.string().regex(FIELD_ID, 'each entry must be a field id such as custom12')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_DIR: z.string().min(1).default('logs'),
  LOG_RETENTION_DAYS: z.coerce.number().int().min(7, 'LOG_RETENTION_DAYS must be at least 7').max(3650).default(14),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** Origins of the pages that may embed the picker (element, frame or popup), comma-separated. */
  EMBED_ALLOWED_ORIGINS: commaList(
    z
      .string()
      .refine(
        isOrigin,
        'each entry must be an origin such as https://portal.example.com (scheme, host, optional port; no path)',
      ),
  ),
  /** How long the audit log keeps each write-back attempt. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /**
   * Where state lives: an SQLite file (the default: DATA_DIR/state.sqlite; or sqlite:<file>, or a bare path), Redis
   * for several instances (redis://[:password@]host:6379/0, rediss:// for TLS; a Redis Cluster from its seed nodes,
   * redis+cluster://[:password@]host1:6379,host2:6379,...; or the master of a Sentinel group,
   * redis+sentinel://[:password@]host1:26379,host2:26379,.../<master-name>[/db]; rediss+cluster:// and
   * rediss+sentinel:// for TLS), or memory (lost on restart).
   */
  STORE_URL: z.string().min(1).optional(),
  /** Prepended to every Redis key, so deployments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('leu:'),
  /** The data directory for the default SQLite store (created on first start). */
  DATA_DIR: z.string().min(1).default('data'),
  /** Searches per minute for one popup session or embedding visitor; 0 turns the limit off. */
  RATE_LIMIT_SEARCHES_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  /** Refused launches per minute from one client address before it is refused outright for the minute; 0: off. */
  RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  /** How many reverse proxies in front of the server append to X-Forwarded-For (0: use the socket's address). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** The sandbox's fake Concur answers each call after this many milliseconds (Concur's own latency, for benches). */
  SANDBOX_CONCUR_LATENCY_MS: z.coerce.number().int().min(0).max(10_000).default(0),
  /** The Launch URL fields those pages may search, comma-separated: embedding exposes a field's values. */
  EMBED_FIELDS: commaList(z.string().regex(FIELD_ID, 'each entry must be a field id such as custom12')),
});

/** scheme://host[:port] and nothing else, as browsers report it in event.origin and the Origin header. */
export function isOrigin(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === value;
  } catch {
    return false;
  }
}

export interface Config {
  port: number;
  /** Origins allowed to embed the picker; empty: embedding is off. */
  embedOrigins: string[];
  /** The fields an embedding page may search (lower case). */
  embedFields: string[];
  /** Where sessions, nonces and recent picks live. */
  /** Where state lives. SQLite in the sandbox may have no key: one is made and kept in `keyFile`. */
  store:
    | { kind: 'memory' }
    | { kind: 'sqlite'; file: string; key?: Buffer; keyFile: string }
    | { kind: 'redis'; url: string; key: Buffer; prefix: string };
  rateLimits: { searchesPerMinute: number; launchFailuresPerMinute: number };
  trustProxyHops: number;
  auditRetentionDays: number;
  host: string;
  /** Origin (and optional path prefix) the outside world uses to reach us, without a trailing slash. */
  publicUrl: string;
  sandbox: boolean;
  /** How long the sandbox's fake Concur takes to answer each call (SANDBOX_CONCUR_LATENCY_MS). */
  sandboxLatencyMs: number;
  /**
   * The configuration's own company's connector credentials (CONNECTOR_USERNAME, CONNECTOR_PASSWORD); undefined
   * when the deployment serves registered companies only.
   */
  connector?: { username: string; password: string };
  oauth: { clientId: string; clientSecret: string; redirectUri: string; tokenBase: string };
  extraAllowedHosts: string[];
  /** An administrator's override of Concur's API base, used instead of the token's geolocation. */
  apiBase?: string;
  /** Where DELETE /app-mgmt/v0/connections revokes the company's tokens (protocol sheet §4). */
  revokeBase: string;
  /** What the App Center landing page shows and links. */
  connect: { appName: string; privacyUrl?: string; supportUrl?: string; termsUrl?: string };
  /** Bearer token for the administrator's endpoints; unset: they are off. */
  adminToken?: string;
  catalogFile: string;
  /** Which data source each Launch URL field searches (JSON). */
  fieldsFile?: string;
  /** Without a fields file: the fields that search the catalog (the sandbox then uses the example fields file). */
  catalogFields: string[];
  /** Where the connector keeps its files (the default SQLite store, the sandbox's company token). */
  dataDir: string;
  /** The environment the configuration came from: fields-file headers may name variables in it (${NAME}). */
  env: Record<string, string | undefined>;
  logLevel: z.infer<typeof Env>['LOG_LEVEL'];
  /** Warnings and errors are also written to daily files here, kept this many days. */
  logDir: string;
  logRetentionDays: number;
  tls?: { certFile: string; keyFile: string };
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
  // A partner's deployment may serve registered companies only (npm run company): without either connector
  // variable, no company is configured by the environment.
  const registryOnly = !sandbox && e.CONNECTOR_USERNAME === undefined && e.CONNECTOR_PASSWORD === undefined;
  const connector = registryOnly
    ? undefined
    : {
        username: check(
          'CONNECTOR_USERNAME',
          credential('CONNECTOR_USERNAME'),
          e.CONNECTOR_USERNAME ?? (sandbox ? SANDBOX_DEFAULTS.connectorUsername : undefined),
        ),
        password: check(
          'CONNECTOR_PASSWORD',
          credential('CONNECTOR_PASSWORD'),
          e.CONNECTOR_PASSWORD ?? (sandbox ? SANDBOX_DEFAULTS.connectorPassword : undefined),
        ),
      };

  let oauth: Config['oauth'];
  if (sandbox) {
    oauth = {
      clientId: SANDBOX_DEFAULTS.clientId,
      clientSecret: SANDBOX_DEFAULTS.clientSecret,
      redirectUri: e.CONCUR_REDIRECT_URI ?? `${publicUrl}/oauth/redirect`,
      tokenBase: stripSlash(e.CONCUR_TOKEN_BASE ?? `${publicUrl}/sandbox/concur`),
    };
  } else {
    if (!e.CONCUR_CLIENT_SECRET)
      throw new ConfigError('CONCUR_CLIENT_SECRET: is required when CONCUR_CLIENT_ID is set');
    if (!e.CONCUR_REDIRECT_URI)
      throw new ConfigError(
        'CONCUR_REDIRECT_URI: is required when CONCUR_CLIENT_ID is set ' +
          '(the Redirect URL entered on the LEU service configuration)',
      );
    oauth = {
      clientId: e.CONCUR_CLIENT_ID!,
      clientSecret: e.CONCUR_CLIENT_SECRET,
      redirectUri: e.CONCUR_REDIRECT_URI,
      // Authorization codes and company tokens are exchanged at GLZ since 2025 (protocol sheet §4).
      tokenBase: stripSlash(e.CONCUR_TOKEN_BASE ?? CONCUR_TOKEN_HOST),
    };
  }

  const extraAllowedHosts = [...e.CONCUR_ALLOWED_HOSTS];
  // The sandbox's fake Concur lives on this server, so its own host must be allowed to receive sandbox tokens.
  if (sandbox) extraAllowedHosts.push(new URL(publicUrl).host);
  // An administrator who points the token or API base elsewhere has vouched for that host.
  const apiBase = e.CONCUR_API_BASE ? stripSlash(e.CONCUR_API_BASE) : undefined;
  if (apiBase) extraAllowedHosts.push(new URL(apiBase).host);
  if (e.CONCUR_TOKEN_BASE) extraAllowedHosts.push(new URL(oauth.tokenBase).host);

  // The client secret and tokens go to these: HTTPS only, except a loopback test double.
  for (const [name, value] of [
    ['CONCUR_TOKEN_BASE', oauth.tokenBase],
    ['CONCUR_API_BASE', apiBase],
  ] as const) {
    if (value && !sandbox && new URL(value).protocol === 'http:' && !LOOPBACK.test(new URL(value).hostname)) {
      throw new ConfigError(`${name}: must be an https URL (plain http only for a loopback host)`);
    }
  }
  const host = e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0');
  if (sandbox && !LOOPBACK.test(host) && host !== 'localhost') {
    throw new ConfigError(
      'HOST: the sandbox signs launches with publicly known credentials, ' +
        'so it listens only on a loopback address (127.0.0.1, ::1); set CONCUR_CLIENT_ID to run against Concur',
    );
  }

  /** TOKEN_ENCRYPTION_KEY's 32 bytes, read where something needs them: a malformed key is an error only there. */
  const encryptionKey = (): Buffer | undefined => {
    if (!e.TOKEN_ENCRYPTION_KEY) return undefined;
    const key = parseKey(e.TOKEN_ENCRYPTION_KEY);
    if (!key) throw new ConfigError('TOKEN_ENCRYPTION_KEY: must be 32 bytes, as 64 hex characters or Base64');
    return key;
  };
  if ((e.TLS_CERT_FILE === undefined) !== (e.TLS_KEY_FILE === undefined)) {
    throw new ConfigError(
      `${e.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'}: TLS_CERT_FILE and TLS_KEY_FILE must be set together`,
    );
  }

  // The sandbox's own example host page (/examples/host-page.html) may embed the picker out of the box.
  const embedOrigins = [...new Set([...e.EMBED_ALLOWED_ORIGINS, ...(sandbox ? [new URL(publicUrl).origin] : [])])];
  // In the sandbox, the example page's fields: a single search and a wizard.
  const embedFields = (e.EMBED_FIELDS.length ? e.EMBED_FIELDS : sandbox ? ['custom12', 'custom16'] : []).map((f) =>
    f.toLowerCase(),
  );
  if (e.EMBED_ALLOWED_ORIGINS.length && !embedFields.length) {
    throw new ConfigError(
      'EMBED_FIELDS: is required when EMBED_ALLOWED_ORIGINS is set: list the fields the embedding pages may search ' +
        '(e.g. custom12,custom16)',
    );
  }

  const store = storeFrom(e.STORE_URL, e.DATA_DIR, e.REDIS_KEY_PREFIX, encryptionKey, sandbox);
  // A launch's field id is not signed: only fields the configuration names are served (the sandbox has its example).
  if (e.FIELDS_FILE && e.CATALOG_FIELDS.length)
    throw new ConfigError(
      'CATALOG_FIELDS: give either FIELDS_FILE or CATALOG_FIELDS; with a fields file, list the fields there',
    );
  if (!e.FIELDS_FILE && !e.CATALOG_FIELDS.length && !sandbox && !registryOnly) {
    throw new ConfigError(
      'CATALOG_FIELDS: is required without FIELDS_FILE: list the Launch URL fields that search CATALOG_FILE ' +
        '(e.g. custom12); launches for any other field are refused',
    );
  }

  return {
    port: e.PORT,
    store,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    rateLimits: {
      searchesPerMinute: e.RATE_LIMIT_SEARCHES_PER_MINUTE,
      launchFailuresPerMinute: e.RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE,
    },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    embedOrigins,
    embedFields,
    // The sandbox is a developer tool: it stays on loopback.
    host,
    publicUrl,
    sandbox,
    sandboxLatencyMs: e.SANDBOX_CONCUR_LATENCY_MS,
    ...(connector ? { connector } : {}),
    oauth,
    extraAllowedHosts,
    apiBase,
    // Revocation lives on the us.api host, which the base-URI table no longer lists [AMB]; the sandbox has its own.
    revokeBase: sandbox ? oauth.tokenBase : CONCUR_REVOKE_HOST,
    connect: {
      appName: e.APP_NAME,
      privacyUrl: e.CONNECT_PRIVACY_URL ?? (sandbox ? `${publicUrl}/sandbox/privacy` : undefined),
      supportUrl: e.CONNECT_SUPPORT_URL ?? (sandbox ? `${publicUrl}/sandbox/support` : undefined),
      termsUrl: e.CONNECT_TERMS_URL,
    },
    adminToken: e.ADMIN_TOKEN,
    catalogFile: e.CATALOG_FILE ?? SAMPLE_CATALOG,
    fieldsFile: e.FIELDS_FILE,
    catalogFields: e.CATALOG_FIELDS,
    dataDir: e.DATA_DIR,
    env,
    logLevel: e.LOG_LEVEL,
    logDir: e.LOG_DIR,
    logRetentionDays: e.LOG_RETENTION_DAYS,
    tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : undefined,
  };
}

function storeFrom(
  url: string | undefined,
  dataDir: string,
  prefix: string,
  encryptionKey: () => Buffer | undefined,
  sandbox: boolean,
): Config['store'] {
  if (url === 'memory') return { kind: 'memory' };
  const key = encryptionKey();
  if (url && isRedisUrl(url)) {
    // One server (redis://), a Cluster (redis+cluster://) or a Sentinel group (redis+sentinel://): the store's
    // kind stays redis, with the URL; server/store/redis-connection.ts makes the client of it.
    try {
      parseRedisUrl(url);
    } catch (error) {
      throw new ConfigError(`STORE_URL: ${(error as Error).message}`);
    }
    if (!key)
      throw new ConfigError(
        'TOKEN_ENCRYPTION_KEY: is required (32 bytes, 64 hex characters or Base64) when STORE_URL is Redis: ' +
          'sessions hold Concur tokens and are encrypted at rest, and every instance needs the same key',
      );
    return { kind: 'redis', url, key, prefix };
  }
  if (url && /^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    throw new ConfigError(
      'STORE_URL: must be an SQLite file (sqlite:<file> or a path), redis://host:6379 ' +
        '(or redis+cluster://host1:6379,host2:6379, redis+sentinel://host1:26379,host2:26379/<master-name>) or memory',
    );
  const file = url ? url.replace(/^sqlite:/, '') : join(dataDir, 'state.sqlite');
  if (!file) throw new ConfigError('STORE_URL: sqlite: needs a file, e.g. sqlite:data/state.sqlite');
  // The sandbox makes its own key on first start, so npm start needs nothing; a real deployment brings one.
  if (!key && !sandbox)
    throw new ConfigError(
      'TOKEN_ENCRYPTION_KEY: is required (32 bytes, 64 hex characters or Base64, e.g. from: openssl rand -hex 32): ' +
        'the store keeps Concur tokens and encrypts them at rest (or set STORE_URL=memory to keep nothing)',
    );
  return { kind: 'sqlite', file, key, keyFile: join(dirname(file), 'store.key') };
}
