// The company's connection to Concur (protocol sheet §13): an administrator connects the app (App Center's Connect
// landing page, or npm run company-token with a request token from Concur's Company Request Token tool); the
// refresh token lives in the store, sealed, where every instance finds it; a scheduled refresh keeps it alive, one
// instance at a time; a connection Concur revoked is marked disconnected; an administrator can disconnect it.
// Entry writes (and submitted-report header writes) need it (protocol sheet §5).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ConcurClient, ConcurToken } from './client.ts';
import { TokenKeeper } from './token-keeper.ts';
import { AppError, CompanyNotConnected, ConcurSignInFailed, ConcurUnavailable } from '../errors.ts';

const DAY = 24 * 60 * 60 * 1000;
/**
 * Refresh tokens last six months and a refresh slides the expiry (protocol sheet §4): a refresh when the last one
 * is a month old, or when less than five months remain, keeps the connection far from its end.
 */
export const COMPANY_REFRESH_EVERY_MS = 30 * DAY;
const REFRESH_WHEN_LEFT_MS = 150 * DAY;
/** One instance refreshes a generation of the refresh token; the others wait this long for its result. */
const LEASE_MS = 30_000;
/** The name the one connection is kept under. */
export const COMPANY_CONNECTION = 'company';

/**
 * The company's connection as it is kept (protocol sheet §13): made once by an administrator (App Center or the
 * company-token command), refreshed on a schedule, kept in the store so that every instance uses the same one.
 * The SQLite and Redis stores seal it at rest, like sessions: it holds the company's refresh token.
 */
export interface CompanyConnectionRecord {
  /** The company's UUID (App Center's `id`, the company token's `sub`). */
  companyId: string;
  /** Where the company's tokens are refreshed and its calls go (the token's geolocation). */
  geolocation?: string;
  /** Empty once the connection is disconnected. */
  refreshToken: string;
  /** When Concur said the refresh token expires (epoch ms); it slides with each refresh. */
  refreshExpiresAt?: number;
  /** Epoch ms of the last exchange or refresh: a refresh lease is claimed per value, so one instance refreshes. */
  refreshedAt: number;
  connectedAt: number;
  /** The Concur administrator who connected it (App Center's `userId`), when known. */
  connectedBy?: string;
  /** Set when Concur revoked the connection or an administrator disconnected it. */
  disconnected?: { at: number; reason: string };
}

/** What the connection needs of the store every instance shares (server/store's Store is one). */
export interface ConnectionStore {
  getConnection(name: string): Promise<CompanyConnectionRecord | undefined>;
  putConnection(name: string, record: CompanyConnectionRecord): Promise<void>;
  deleteConnection(name: string): Promise<void>;
  /** Records a key; false when it was recorded before and has not expired (the refresh lease). */
  claimNonce(nonce: string, ttlMs: number): Promise<boolean>;
}

export interface ConnectionStatus {
  companyId: string;
  connected: boolean;
  geolocation?: string;
  connectedAt: number;
  connectedBy?: string;
  refreshedAt: number;
  refreshExpiresAt?: number;
  disconnected?: { at: number; reason: string };
}

export interface CompanyConnectionOptions {
  store: ConnectionStore;
  client: ConcurClient;
  logger: Logger;
  /** Where DELETE /app-mgmt/v0/connections revokes the company's tokens. */
  revokeBase: string;
  now?: () => number;
  /** How often the scheduled check runs (default every 6 hours). */
  checkEveryMs?: number;
  /** How long to wait between looks at another instance's refresh. */
  waitStepMs?: number;
}

export class CompanyConnection {
  readonly #o: CompanyConnectionOptions;
  readonly #now: () => number;
  /** The access token from this instance's last exchange or refresh (access tokens stay in memory). */
  #access?: ConcurToken;
  readonly #tokens: TokenKeeper<string>;
  #timer?: ReturnType<typeof setInterval>;

  constructor(options: CompanyConnectionOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#tokens = new TokenKeeper<string>({
      key: (name) => name,
      load: async () => {
        // A connection disconnected on another instance is not used here either.
        if (this.#access && !(await this.isConnected())) throw new CompanyNotConnected();
        return this.#access;
      },
      refresh: () => this.#refresh(),
      save: (_, token) => {
        this.#access = token;
      },
      now: this.#now,
      // The refresh token is in the store, not in the access token: the connection can always try a refresh.
      refreshable: () => true,
      // A 403 is checked with a refresh: a connection Concur revoked then shows (error 108) and is marked so.
      checkWithRefresh: [403],
      refusedFresh: async () => {
        await this.#markDisconnected(`Concur refused a freshly refreshed company token (HTTP 401)`);
        throw new CompanyNotConnected();
      },
    });
  }

  /**
   * Exchanges a company request token (App Center's requestToken, or the Company Request Token tool's; valid 24 h)
   * at GLZ and keeps the connection. Replaces any earlier one.
   */
  async connect(companyId: string, requestToken: string, connectedBy?: string): Promise<ConnectionStatus> {
    const { token, subject } = await this.#o.client.companyToken(companyId, requestToken);
    if (!token.refreshToken)
      throw new ConcurUnavailable(
        'Concur returned no refresh token for the company; check that the client ID has the refresh_token grant.',
      );
    if (subject && subject.toLowerCase() !== companyId.toLowerCase())
      throw new ConcurUnavailable('Concur issued the token for another company than the one connecting.');
    return this.keep(companyId, token, connectedBy);
  }

  /** Keeps the tokens of a company exchange as the connection (connect's second half; tests seed with it). */
  async keep(companyId: string, token: ConcurToken, connectedBy?: string): Promise<ConnectionStatus> {
    if (!token.refreshToken) throw new ConcurUnavailable('A company connection needs a refresh token.');
    const now = this.#now();
    const record: CompanyConnectionRecord = {
      companyId,
      geolocation: token.geolocation,
      refreshToken: token.refreshToken,
      refreshExpiresAt: token.refreshExpiresAt,
      refreshedAt: now,
      connectedAt: now,
      ...(connectedBy ? { connectedBy } : {}),
    };
    await this.#o.store.putConnection(COMPANY_CONNECTION, record);
    this.#access = token;
    this.#o.logger.info({ companyId, connectedBy }, 'company connected');
    return statusOf(record);
  }

  /** The connection as stored, without its secret; undefined when none was ever made (or it was disconnected here). */
  async status(): Promise<ConnectionStatus | undefined> {
    const record = await this.#o.store.getConnection(COMPANY_CONNECTION);
    return record && statusOf(record);
  }

  async isConnected(): Promise<boolean> {
    return (await this.status())?.connected ?? false;
  }

  /**
   * Runs a call with a valid company access token. A 401 gets one refresh and a retry; a 401 with a fresh token,
   * or a refresh Concur refuses (108), means Concur revoked the connection: it is marked disconnected. A 403 is
   * checked with a refresh the same way, and otherwise left to the caller (a field's own rule can refuse a write).
   */
  withToken<T>(call: (token: ConcurToken) => Promise<T>): Promise<T> {
    return this.#tokens.withToken(COMPANY_CONNECTION, call);
  }

  /** Asks Concur now (a refresh): a revoked connection is marked disconnected. The status, after. */
  async verify(): Promise<ConnectionStatus | undefined> {
    await this.#tokens.refresh(COMPANY_CONNECTION).catch((error: unknown) => {
      if (!(error instanceof CompanyNotConnected)) throw error;
    });
    return this.status();
  }

  /** Refreshes when the connection is due (see COMPANY_REFRESH_EVERY_MS); true when this instance did it. */
  async refreshIfDue(): Promise<boolean> {
    const record = await this.#o.store.getConnection(COMPANY_CONNECTION);
    if (!record || record.disconnected) return false;
    const now = this.#now();
    const due =
      now - record.refreshedAt >= COMPANY_REFRESH_EVERY_MS ||
      (record.refreshExpiresAt !== undefined && record.refreshExpiresAt - now < REFRESH_WHEN_LEFT_MS);
    if (!due) return false;
    // Another instance holding this generation's lease is refreshing it now.
    if (!(await this.#claim(record))) return false;
    this.#access = await this.#refreshRecord(record);
    return true;
  }

  /**
   * Disconnects from the connector's side: revokes the company's tokens at Concur, then forgets them. The tokens
   * are forgotten even when Concur cannot be reached; the answer says whether Concur confirmed the revocation.
   */
  async disconnect(by: string): Promise<{ revoked: boolean }> {
    const record = await this.#o.store.getConnection(COMPANY_CONNECTION);
    if (!record) return { revoked: false };
    let revoked = false;
    if (!record.disconnected) {
      try {
        await this.withToken((token) =>
          this.#o.client.remove(
            'app_mgmt.connections.delete',
            new URL(`${this.#o.revokeBase}/app-mgmt/v0/connections`),
            token,
          ),
        );
        revoked = true;
      } catch (error) {
        this.#o.logger.warn(
          { companyId: record.companyId, reason: (error as Error).message },
          'Concur did not confirm revoking the company connection; it is forgotten here all the same',
        );
      }
    }
    await this.#o.store.deleteConnection(COMPANY_CONNECTION);
    this.#access = undefined;
    this.#o.logger.info({ companyId: record.companyId, by, revoked }, 'company disconnected');
    return { revoked };
  }

  /** Checks at start and then on a schedule, logging (never throwing) what goes wrong. */
  start(): void {
    const check = () =>
      this.refreshIfDue().then(
        (refreshed) => refreshed && this.#o.logger.info('company connection refreshed'),
        (error: Error) =>
          this.#o.logger.error(
            { err: { name: error.name, message: error.message } },
            error instanceof AppError ? error.message : 'company connection refresh failed',
          ),
      );
    void check();
    this.#timer = setInterval(() => void check(), this.#o.checkEveryMs ?? 6 * 60 * 60 * 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** A new access token from the stored refresh token: one lease across instances (the keeper: one per instance). */
  async #refresh(): Promise<ConcurToken> {
    const deadline = this.#now() + LEASE_MS + 5_000;
    for (;;) {
      const record = await this.#o.store.getConnection(COMPANY_CONNECTION);
      if (!record || record.disconnected) throw new CompanyNotConnected();
      if (await this.#claim(record)) return this.#refreshRecord(record);
      // Another instance is refreshing this generation: once it has stored the next, this one refreshes that.
      if (this.#now() > deadline)
        throw new ConcurUnavailable('The company connection is being renewed. Please try again in a moment.');
      await sleep(this.#o.waitStepMs ?? 200);
    }
  }

  /** The lease on one generation of the refresh token (the nonce store answers once per key until it expires). */
  #claim(record: CompanyConnectionRecord): Promise<boolean> {
    return this.#o.store.claimNonce(`company-refresh|${record.companyId}|${record.refreshedAt}`, LEASE_MS);
  }

  async #refreshRecord(record: CompanyConnectionRecord): Promise<ConcurToken> {
    let token: ConcurToken;
    try {
      ({ token } = await this.#o.client.refresh(
        { accessToken: '', refreshToken: record.refreshToken, expiresAt: 0, geolocation: record.geolocation },
        'company',
      ));
    } catch (error) {
      if (error instanceof ConcurSignInFailed && error.code === 'oauth_refresh_revoked') {
        await this.#markDisconnected('Concur refused the refresh token (error 108): the connection was revoked');
        throw new CompanyNotConnected();
      }
      throw error;
    }
    // Concur may rotate the refresh token and move the geolocation: whatever it returned is what is kept.
    const next: CompanyConnectionRecord = {
      ...record,
      refreshToken: token.refreshToken ?? record.refreshToken,
      refreshExpiresAt: token.refreshExpiresAt ?? record.refreshExpiresAt,
      geolocation: token.geolocation ?? record.geolocation,
      // A new generation, even within the same millisecond: the next lease is a new key.
      refreshedAt: Math.max(this.#now(), record.refreshedAt + 1),
    };
    await this.#o.store.putConnection(COMPANY_CONNECTION, next);
    return token;
  }

  /** Marks the connection revoked, logging it once (the first instance to notice). */
  async #markDisconnected(reason: string): Promise<void> {
    this.#access = undefined;
    const record = await this.#o.store.getConnection(COMPANY_CONNECTION);
    if (!record || record.disconnected) return;
    await this.#o.store.putConnection(COMPANY_CONNECTION, {
      ...record,
      refreshToken: '',
      disconnected: { at: this.#now(), reason },
    });
    this.#o.logger.error(
      { companyId: record.companyId, reason },
      'the company connection was revoked in Concur: entries cannot be written until an administrator connects the app again',
    );
  }
}

/** The stored connection, without its secret. */
export function statusOf(r: CompanyConnectionRecord): ConnectionStatus {
  return {
    companyId: r.companyId,
    connected: !r.disconnected,
    geolocation: r.geolocation,
    connectedAt: r.connectedAt,
    ...(r.connectedBy ? { connectedBy: r.connectedBy } : {}),
    refreshedAt: r.refreshedAt,
    refreshExpiresAt: r.refreshExpiresAt,
    ...(r.disconnected ? { disconnected: r.disconnected } : {}),
  };
}
