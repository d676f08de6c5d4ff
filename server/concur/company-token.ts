// The company-level token: bootstrapped once from a company request token, its refresh token kept encrypted on
// disk, overwritten on every refresh, and refreshed long before its six-month expiry.
import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { ConcurClient, ConcurToken } from './client.js';
import { ConcurHttpError } from './client.js';
import { open, seal } from './secret-box.js';
import { CompanyTokenMissing } from '../errors.js';

const DAY = 24 * 60 * 60 * 1000;
/** Concur's refresh tokens last six months; refreshing monthly keeps five months in hand. */
export const COMPANY_REFRESH_EVERY_MS = 30 * DAY;
const ACCESS_MARGIN_MS = 2 * 60 * 1000;

const Sealed = z.object({ iv: z.string(), tag: z.string(), data: z.string() });
const StoredCompanyToken = z.object({
  version: z.literal(1),
  companyId: z.string(),
  geolocation: z.string().optional(),
  refreshToken: Sealed,
  refreshExpiresAt: z.number().optional(),
  refreshedAt: z.number(),
});
type StoredCompanyToken = z.infer<typeof StoredCompanyToken>;

export interface CompanyTokenOptions {
  file: string;
  key: Buffer;
  client: ConcurClient;
  logger: Logger;
  now?: () => number;
  /** How often the background check runs. */
  checkEveryMs?: number;
}

export interface CompanyTokenStatus {
  companyId: string;
  geolocation?: string;
  refreshedAt: number;
  refreshExpiresAt?: number;
}

export class CompanyTokens {
  readonly #o: CompanyTokenOptions;
  readonly #now: () => number;
  #access?: ConcurToken;
  #inflight?: Promise<ConcurToken>;
  #timer?: ReturnType<typeof setInterval>;

  constructor(options: CompanyTokenOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Exchanges a company request token (valid 24 hours) for the company's tokens and stores them. */
  async bootstrap(companyId: string, requestToken: string): Promise<CompanyTokenStatus> {
    const { token } = await this.#o.client.companyToken(companyId, requestToken);
    if (!token.refreshToken) throw new Error('Concur returned no refresh token for the company; check that the client ID has the refresh_token grant.');
    await this.#save(companyId, token);
    this.#access = token;
    return (await this.status())!;
  }

  /** What is stored, without the secret; undefined when nothing was bootstrapped yet. */
  async status(): Promise<CompanyTokenStatus | undefined> {
    const s = await this.#load();
    return s && { companyId: s.companyId, geolocation: s.geolocation, refreshedAt: s.refreshedAt, refreshExpiresAt: s.refreshExpiresAt };
  }

  /** Runs a call with a valid company access token; refreshes once if Concur rejects it. */
  async withToken<T>(call: (token: ConcurToken) => Promise<T>): Promise<T> {
    const token = this.#access && this.#access.expiresAt - this.#now() > ACCESS_MARGIN_MS ? this.#access : await this.#refresh();
    try {
      return await call(token);
    } catch (error) {
      if (error instanceof ConcurHttpError && error.upstreamStatus === 401) return call(await this.#refresh());
      throw error;
    }
  }

  /** Refreshes when the stored refresh token is a month old or ends within five months. True when it did. */
  async refreshIfAging(): Promise<boolean> {
    const stored = await this.#load();
    if (!stored) return false;
    const now = this.#now();
    const aging = now - stored.refreshedAt >= COMPANY_REFRESH_EVERY_MS || (stored.refreshExpiresAt !== undefined && stored.refreshExpiresAt - now < 150 * DAY);
    if (!aging) return false;
    await this.#refresh();
    return true;
  }

  /** Checks at start and then periodically, logging (not throwing) what goes wrong. */
  start(): void {
    const check = () =>
      this.refreshIfAging().then(
        (refreshed) => refreshed && this.#o.logger.info('company refresh token renewed'),
        (error: Error) => this.#o.logger.error({ err: { name: error.name, message: error.message } }, 'company token refresh failed'),
      );
    void check();
    this.#timer = setInterval(check, this.#o.checkEveryMs ?? 12 * 60 * 60 * 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #refresh(): Promise<ConcurToken> {
    this.#inflight ??= (async () => {
      const stored = await this.#load();
      if (!stored) throw new CompanyTokenMissing('No company token has been set up. An administrator must run npm run company-token.');
      const refreshToken = open(this.#o.key, stored.refreshToken);
      const { token } = await this.#o.client.refresh({ accessToken: '', refreshToken, expiresAt: 0, geolocation: stored.geolocation }, 'company');
      // Concur may hand back a different refresh token: whatever it returned is what we keep.
      await this.#save(stored.companyId, { ...token, geolocation: token.geolocation ?? stored.geolocation });
      this.#access = token;
      return token;
    })().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #load(): Promise<StoredCompanyToken | undefined> {
    const text = await readFile(this.#o.file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (text === undefined) return undefined;
    const parsed = StoredCompanyToken.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.#o.file} is not a company token file written by this connector.`);
    return parsed.data;
  }

  async #save(companyId: string, token: ConcurToken): Promise<void> {
    const stored: StoredCompanyToken = {
      version: 1,
      companyId,
      geolocation: token.geolocation,
      refreshToken: seal(this.#o.key, token.refreshToken!),
      refreshExpiresAt: token.refreshExpiresAt,
      refreshedAt: this.#now(),
    };
    await writeFileAtomic(this.#o.file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
}
