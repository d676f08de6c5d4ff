// Which company a request belongs to: the registry of companies kept in the store (read again every few seconds,
// so a company added or changed on one instance is served by every other), plus the configuration's own company.
// A company's fields and catalogs are built when it is first used and dropped when it has not been used for a
// while (rebuilt on its next request), so memory follows the catalogs in use, not the number of companies.
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { createHash, timingSafeEqual } from 'node:crypto';
import { SourceUnavailable } from '../errors.ts';
import type { ConnectorCredentials } from '../launch/signature.ts';
import { scopedStore } from '../store/scoped.ts';
import { companyAccess, registeredCompany, registeredFields, type Company, type CompanyBuildDeps } from './company.ts';
import { COMPANY_ID, companyScope, type CompanyRecord } from './record.ts';

export interface RegistryOptions extends CompanyBuildDeps {
  /** How often the registry is read again (default 2 s). */
  refreshMs?: number;
  /** A company's fields and catalogs are dropped after this long without a request (default 10 minutes). */
  idleMs?: number;
}

type Access = Pick<Company, 'store' | 'company' | 'items'>;
type Fields = Pick<Company, 'sources' | 'catalog' | 'embed'>;

/** The registry as requests see it: the registered companies, and the configuration's own one for the rest. */
export interface CompanyDirectory {
  forDomain(domain: string): Promise<Company | undefined>;
  /** The company's record read again now (at most once a second), for a pair it may have changed on another instance. */
  reread(company: Company): Promise<Company | undefined>;
  get(id: string): Promise<Company | undefined>;
  withCredentials(username: string, password: string): Promise<{ id: string; pair: ConnectorCredentials } | undefined>;
  confirmCredentials(id: string, pair: ConnectorCredentials): Promise<void>;
}

export class CompanyRegistry {
  readonly #o: RegistryOptions;
  readonly #log: Logger;
  #records = new Map<string, CompanyRecord>();
  #byDomain = new Map<string, string>();
  /** Each company's connection, token keeper and store view: small, kept while the company is registered. */
  readonly #access = new Map<string, { updatedAt: number; access: Access }>();
  /** Each company's fields and catalogs, by id and record version: large, dropped when idle. */
  readonly #fields: LRUCache<string, Promise<Fields>>;
  #loaded?: Promise<void>;
  #reading?: Promise<void>;
  #lastRead = 0;
  #timer?: ReturnType<typeof setInterval>;

  constructor(options: RegistryOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.#fields = new LRUCache<string, Promise<Fields>>({
      max: 100_000,
      ttl: options.idleMs ?? 10 * 60_000,
      updateAgeOnGet: true,
      ttlAutopurge: true,
      dispose: (fields) => void fields.then((f) => f.sources.close()).catch(() => undefined),
    });
  }

  /** The directory a request uses: these companies, and `fallback` (the configuration's own) for the rest. */
  directory(fallback?: Company): CompanyDirectory {
    return {
      forDomain: (domain) => this.forDomain(domain, fallback),
      reread: async (company) => {
        if (company.domain === undefined) return company;
        if (Date.now() - this.#lastRead >= 1000) await this.refresh();
        return this.forDomain(company.domain, fallback);
      },
      get: (id) => this.get(id, fallback),
      withCredentials: (username, password) => this.withCredentials(username, password, fallback),
      confirmCredentials: (id, pair) => this.confirmCredentials(id, pair),
    };
  }

  /** Reads the registry now; later reads happen every refreshMs. */
  async start(): Promise<void> {
    await this.refresh();
    this.#timer ??= setInterval(() => {
      this.refresh().catch((error: Error) =>
        this.#log.warn({ cause: error.message }, 'the company registry could not be read; keeping the last one'),
      );
    }, this.#o.refreshMs ?? 2000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const { access } of this.#access.values()) access.company.stop();
    this.#access.clear();
    this.#fields.clear();
  }

  /** Reads every company from the store; a changed or removed company's built parts are dropped. */
  refresh(): Promise<void> {
    // One read at a time, however many requests ask for one: the throttle counts from when a read starts.
    if (this.#reading) return this.#reading;
    this.#lastRead = Date.now();
    const read = this.#o.store.listCompanies().then((records) => {
      const next = new Map(records.map((r) => [r.id, r]));
      for (const [id, kept] of this.#access) {
        const record = next.get(id);
        if (record?.updatedAt === kept.updatedAt) continue;
        kept.access.company.stop();
        this.#access.delete(id);
      }
      for (const key of [...this.#fields.keys()]) {
        const [id, version] = key.split('@');
        if (next.get(id!)?.updatedAt !== Number(version)) this.#fields.delete(key);
      }
      this.#records = next;
      this.#byDomain = new Map(records.map((r) => [r.domain.toLowerCase(), r.id]));
    });
    this.#reading = read.finally(() => {
      this.#reading = undefined;
    });
    this.#loaded ??= read;
    return this.#reading;
  }

  /** Every registered company, as last read. */
  records(): CompanyRecord[] {
    return [...this.#records.values()];
  }

  /**
   * The company a launch's company_domain names (it is signed, but is checked by that company's own credentials:
   * until then it is a hint): a registered one, else the configuration's own company, if there is one.
   */
  async forDomain(domain: string, fallback?: Company): Promise<Company | undefined> {
    const record = await this.#find(() => this.#recordFor(this.#byDomain.get(domain.toLowerCase())));
    return record ? this.#company(record) : fallback;
  }

  /** A company by its id (a session's, a Connect's); the configuration's own company is `default`. */
  async get(id: string, fallback?: Company): Promise<Company | undefined> {
    if (fallback?.id === id) return fallback;
    // Not an id onboarding can make: no lookup (and no registry read) for it.
    if (!COMPANY_ID.test(id)) return undefined;
    const record = await this.#find(() => this.#recordFor(id));
    return record ? this.#company(record) : undefined;
  }

  /**
   * The company whose connector credentials these are (Test Connection's HTTP Basic), with the pair that matched;
   * every password is compared in constant time, and every company's, so the time says nothing about which.
   */
  async withCredentials(
    username: string,
    password: string,
    fallback?: Company,
  ): Promise<{ id: string; pair: ConnectorCredentials } | undefined> {
    const match = () => {
      let found: { id: string; pair: ConnectorCredentials } | undefined;
      const candidates: [string, ConnectorCredentials][] = [
        ...(fallback ? fallback.credentials.map((p) => [fallback.id, p] as [string, ConnectorCredentials]) : []),
        ...this.records().flatMap((r) =>
          [r.connector, ...(r.previousConnector ? [r.previousConnector] : [])].map(
            (p) => [r.id, p] as [string, ConnectorCredentials],
          ),
        ),
      ];
      for (const [id, pair] of candidates) {
        // Both compared always, so the time does not tell a known user name from an unknown one.
        const sameUser = sameText(pair.username, username);
        const samePassword = sameText(pair.password, password);
        const same = sameUser && samePassword;
        if (same && !found) found = { id, pair };
      }
      return found;
    };
    return this.#find(match);
  }

  /**
   * Test Connection used a registered company's current pair: a rotation is then complete (its administrator has
   * entered the new pair in Concur), and the previous pair is no longer accepted.
   */
  async confirmCredentials(id: string, pair: ConnectorCredentials): Promise<void> {
    const record = await this.#o.store.getCompany(id);
    if (!record?.previousConnector || record.connector.username !== pair.username) return;
    if (record.connector.password !== pair.password) return;
    const { previousConnector: _dropped, ...rest } = record;
    await this.#o.store.putCompany({ ...rest, updatedAt: Math.max(this.#o.now(), record.updatedAt + 1) });
    this.#log.info({ company: id }, 'credential rotation complete: the previous connector pair is no longer accepted');
    await this.refresh();
  }

  /** Looks again once (at most every second) when a request names a company this instance has not read yet. */
  async #find<T>(look: () => T | undefined): Promise<T | undefined> {
    await (this.#loaded ?? this.refresh());
    const found = look();
    if (found || Date.now() - this.#lastRead < 1000) return found;
    await this.refresh();
    return look();
  }

  #recordFor(id: string | undefined) {
    return id === undefined ? undefined : this.#records.get(id);
  }

  async #company(record: CompanyRecord): Promise<Company> {
    const key = `${record.id}@${record.updatedAt}`;
    let fields = this.#fields.get(key);
    if (!fields) {
      fields = registeredFields(record, this.#o);
      this.#fields.set(key, fields);
      // A company whose configuration cannot be built is not kept: its next request tries again (and says why).
      fields.catch(() => this.#fields.delete(key));
    }
    const built = await fields.catch((error: unknown) => {
      // A configuration that cannot be built (a catalog removed meanwhile, a company removed mid-request) is a
      // readable 503, with the reason in the log; never a 500.
      this.#log.error({ company: record.id, cause: (error as Error).message }, "a company's fields cannot be built");
      throw new SourceUnavailable(
        "This company's settings in the connector cannot be used right now. Your administrator can check them " +
          '(npm run company -- show).',
      );
    });
    return registeredCompany(record, this.#accessFor(record), built);
  }

  #accessFor(record: CompanyRecord): Access {
    const kept = this.#access.get(record.id);
    if (kept?.updatedAt === record.updatedAt) return kept.access;
    const store = scopedStore(this.#o.store, companyScope(record.id), record.id);
    const access = { store, ...companyAccess(this.#o, store) };
    // Kept (and its scheduled refresh started) only for the record as last read: a request that began before a
    // change gets this access once, and it is not left running.
    if (this.#records.get(record.id)?.updatedAt !== record.updatedAt) return access;
    kept?.access.company.stop();
    access.company.start();
    this.#access.set(record.id, { updatedAt: record.updatedAt, access });
    return access;
  }
}

/** Equal, in a time that says nothing about either value: fixed-length digests compared in constant time. */
const sameText = (a: string, b: string) =>
  timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
