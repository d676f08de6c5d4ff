// The company-level token: bootstrapped once from a company request token, its refresh token kept encrypted on
// disk, overwritten on every refresh, and refreshed long before its six-month expiry.
import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { ConcurClient, ConcurToken } from './client.ts';
import { ConcurHttpError } from './client.ts';
import { open, seal } from './secret-box.ts';
import { AppError, CompanyTokenMissing, CompanyTokenUnusable } from '../errors.ts';

const DAY = 24 * 60 * 60 * 1000;
/** Concur's refresh tokens last six months; refreshing monthly keeps five months in hand. */
export const COMPANY_REFRESH_EVERY_MS = 30 * DAY;
const ACCESS_MARGIN_MS = 2 * 60 * 1000;

const Sealed = z.object({ iv: z.string(), tag: z.string(), data: z.string() });
/** The company token's file, as written: the refresh token sealed with TOKEN_ENCRYPTION_KEY. */
export const StoredCompanyToken = z.object({
  version: z.literal(1),
  companyId: z.string(),
  geolocation: z.string().optional(),
  refreshToken: Sealed,
  refreshExpiresAt: z.number().optional(),
  refreshedAt: z.number(),
});
export type StoredCompanyToken = z.infer<typeof StoredCompanyToken>;

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
    if (!token.refreshToken)
      throw new Error(
        'Concur returned no refresh token for the company; check that the client ID has the refresh_token grant.',
      );
    await this.#save(companyId, token);
    this.#access = token;
    return (await this.status())!;
  }

  /** What is stored, without the secret; undefined when nothing was bootstrapped yet. */
  async status(): Promise<CompanyTokenStatus | undefined> {
    const s = await this.#load();
    return (
      s && {
        companyId: s.companyId,
        geolocation: s.geolocation,
        refreshedAt: s.refreshedAt,
        refreshExpiresAt: s.refreshExpiresAt,
      }
    );
  }

  /** Runs a call with a valid company access token; refreshes once if Concur rejects it. */
  async withToken<T>(call: (token: ConcurToken) => Promise<T>): Promise<T> {
    const token =
      this.#access && this.#access.expiresAt - this.#now() > ACCESS_MARGIN_MS ? this.#access : await this.#refresh();
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
    const aging =
      now - stored.refreshedAt >= COMPANY_REFRESH_EVERY_MS ||
      (stored.refreshExpiresAt !== undefined && stored.refreshExpiresAt - now < 150 * DAY);
    if (!aging) return false;
    await this.#refresh();
    return true;
  }

  /** Whether the stored token can be read with the configured key; throws CompanyTokenUnusable if not. */
  async verify(): Promise<CompanyTokenStatus | undefined> {
    const stored = await this.#load();
    if (stored) {
      try {
        open(this.#o.key, stored.refreshToken);
      } catch {
        throw new CompanyTokenUnusable(
          `The company token in ${this.#o.file} cannot be decrypted with TOKEN_ENCRYPTION_KEY. ` +
            'Restore the key it was stored with, or run npm run company-token again.',
        );
      }
    }
    return this.status();
  }

  /** Checks at start and then periodically, logging (not throwing) what goes wrong. */
  start(): void {
    void this.verify().catch((error: Error) => this.#o.logger.error({ file: this.#o.file }, error.message));
    const check = () =>
      this.refreshIfAging().then(
        (refreshed) => refreshed && this.#o.logger.info('company refresh token renewed'),
        (error: Error) =>
          this.#o.logger.error(
            { err: { name: error.name, message: error.message } },
            error instanceof AppError ? error.message : 'company token refresh failed',
          ),
      );
    void check();
    this.#timer = setInterval(() => void check(), this.#o.checkEveryMs ?? 12 * 60 * 60 * 1000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #refresh(): Promise<ConcurToken> {
    this.#inflight ??= (async () => {
      const stored = await this.#load();
      if (!stored)
        throw new CompanyTokenMissing(
          'No company token has been set up. An administrator must run npm run company-token.',
        );
      let refreshToken: string;
      try {
        refreshToken = open(this.#o.key, stored.refreshToken);
      } catch {
        throw new CompanyTokenUnusable(
          `The company token in ${this.#o.file} cannot be decrypted: ` +
            'TOKEN_ENCRYPTION_KEY is not the key it was stored with, or the file was altered. ' +
            'An administrator must restore the key, or run npm run company-token again.',
        );
      }
      const { token } = await this.#o.client.refresh(
        { accessToken: '', refreshToken, expiresAt: 0, geolocation: stored.geolocation },
        'company',
      );
      // Concur may hand back a different refresh token: whatever it returned is what we keep.
      try {
        await this.#save(stored.companyId, { ...token, geolocation: token.geolocation ?? stored.geolocation });
      } catch (error) {
        this.#o.logger.error(
          { file: this.#o.file, reason: (error as Error).message },
          'the renewed company refresh token could not be saved; if Concur rotated it, run npm run company-token again',
        );
        throw new CompanyTokenUnusable(
          `The renewed company token could not be saved to ${this.#o.file}. ` +
            "An administrator must fix the file's location and run npm run company-token again.",
        );
      }
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
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = StoredCompanyToken.safeParse(json);
    if (!parsed.success)
      throw new CompanyTokenUnusable(
        `${this.#o.file} is not a company token file written by this connector. ` +
          'An administrator must run npm run company-token again.',
      );
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
