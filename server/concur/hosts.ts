// Which hosts may ever receive a Concur token: Concur's data centres plus the administrator's extra entries.

/** Where authorization codes and company tokens are exchanged since 2025 (protocol sheet §4). */
export const CONCUR_TOKEN_HOST = 'https://glz.api.concursolutions.com';
/** Concur's US data centre: the API base when neither configuration nor a token names one. */
export const CONCUR_US_API_HOST = 'https://us.api.concursolutions.com';
/** Where DELETE /app-mgmt/v0/connections revokes an app's refresh tokens (protocol sheet §4, a constant [AMB]). */
export const CONCUR_REVOKE_HOST = CONCUR_US_API_HOST;

/**
 * Concur's API hosts (protocol sheet §4, base URIs of 2026), each also as its browser `www-` form: US2, EU2, APJ1,
 * the US public sector (CCPS, usg), GLZ (token requests; it has no www- form), the implementation hosts, and the
 * older us, emea and eu, which real geolocations and error-16 answers still name. HTTPS only; nothing else.
 */
const DATA_CENTRES = ['us2', 'eu2', 'apj1', 'usg', 'us-impl', 'emea-impl', 'us', 'emea', 'eu'] as const;
export const CONCUR_API_HOSTS = [
  ...DATA_CENTRES.flatMap((dc) => [`${dc}.api.concursolutions.com`, `www-${dc}.api.concursolutions.com`]),
  'glz.api.concursolutions.com',
] as const;

/**
 * Where a call with a token goes: the administrator's override (CONCUR_API_BASE), else the token's geolocation,
 * else the fallback (the host the launch named). The one rule for every Concur API call.
 */
export function apiBase(override: string | undefined, token: { geolocation?: string } | undefined, fallback: string) {
  return override ?? token?.geolocation ?? fallback;
}

export const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|::1)$/;

export interface HostAllowlist {
  /** True when a token may be sent to this URL. */
  allows(url: URL): boolean;
}

/**
 * Concur's hosts are allowed over HTTPS on the default port. Each extra `host[:port]` entry is allowed over
 * HTTPS, and over plain HTTP only when it is a loopback host (the sandbox, local tests).
 */
export function createHostAllowlist(extraEntries: readonly string[]): HostAllowlist {
  const concur = new Set<string>(CONCUR_API_HOSTS);
  const extra = new Set(extraEntries.map((e) => e.toLowerCase()));
  return {
    allows(url) {
      if (url.username || url.password) return false;
      const host = url.hostname.toLowerCase();
      const port = url.port; // '' when it is the scheme's default
      if (url.protocol === 'https:') {
        if (port === '' && concur.has(host)) return true;
        return extra.has(port ? `${host}:${port}` : host) || (port === '443' && extra.has(host));
      }
      if (url.protocol === 'http:' && LOOPBACK.test(host)) {
        return extra.has(port ? `${host}:${port}` : host);
      }
      return false;
    },
  };
}
