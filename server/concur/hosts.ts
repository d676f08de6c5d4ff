// Which hosts may ever receive a Concur token: Concur's data centres plus the administrator's extra entries.

/** Concur's API hosts (protocol sheet §4, base URIs). HTTPS only. */
export const CONCUR_API_HOSTS = [
  'us.api.concursolutions.com',
  'us2.api.concursolutions.com',
  'emea.api.concursolutions.com',
  'eu.api.concursolutions.com',
  'eu2.api.concursolutions.com',
  'usg.api.concursolutions.com',
  'us-impl.api.concursolutions.com',
  'emea-impl.api.concursolutions.com',
  'www-us.api.concursolutions.com',
  'www-us2.api.concursolutions.com',
  'www-emea.api.concursolutions.com',
  'www-eu.api.concursolutions.com',
  'www-eu2.api.concursolutions.com',
  'www-usg.api.concursolutions.com',
  'www-us-impl.api.concursolutions.com',
  'www-emea-impl.api.concursolutions.com',
] as const;

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
