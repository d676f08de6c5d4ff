// A launch answers with the popup's page at once; its calls to Concur (the code exchange, the owner check) end while
// the page loads. The popup's claim of its session waits for them: in memory when this instance runs them, through
// the store when another one does.
import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { Handoff } from '../sessions/session.ts';
import type { ServerErrorCode } from '../../src/contract/error-codes.ts';
import { sessionKey } from './launch.ts';
import { HANDOFF_TTL_MS } from './limits.ts';

/** How long a claim waits for a launch another instance is still completing (beyond its code exchange's bound). */
export const HANDOFF_WAIT_MS = 20_000;
const POLL_MS = 100;

/** A refusal of a launch that came after its page was sent, as the hand-off kept it: the claim answers with it. */
export class LaunchRefused extends AppError {
  readonly status: AppError['status'];
  readonly code: ServerErrorCode;
  override readonly title: string;
  constructor({ status, code, title, message, correlationId }: Extract<Handoff, { refused: unknown }>['refused']) {
    super(message);
    this.status = status as AppError['status'];
    this.code = code as ServerErrorCode;
    this.title = title;
    this.correlationId = correlationId;
  }
}

/** What a hand-off keeps of a refusal: what the user is told, never a stack or a secret. */
function refusalOf(error: unknown): Extract<Handoff, { refused: unknown }>['refused'] {
  if (error instanceof AppError)
    return {
      status: error.status,
      code: error.code,
      title: error.title,
      message: error.message,
      ...(error.correlationId ? { correlationId: error.correlationId } : {}),
    };
  return {
    status: 503,
    code: 'internal_error',
    title: 'Something went wrong',
    message: 'The connector could not complete this launch. Close this window and click the button in Concur again.',
  };
}

/** The launches this instance is completing, by hand-off code (hashed), and those it completed a moment ago. */
export class LaunchesInFlight {
  readonly #running = new Map<string, Promise<void>>();
  readonly #completed = new LRUCache<string, true>({ max: 100_000, ttl: HANDOFF_TTL_MS });

  /**
   * Marks the hand-off as launched (so a claim on any instance knows to wait for it) and runs the launch's remaining
   * work in the background. A refusal is kept under the hand-off for the claim, and logged.
   */
  async start(store: Store, handoff: string, work: () => Promise<void>, log: () => Logger): Promise<void> {
    const code = sessionKey(handoff);
    await store.claimNonce(`handoff:${code}`, HANDOFF_TTL_MS);
    const job = work().catch(async (error: unknown) => {
      if (error instanceof AppError) log().info({ errorCode: error.code, status: error.status }, error.message);
      else log().error({ err: error }, 'the launch could not be completed');
      await store.putHandoff(code, { refused: refusalOf(error) }, HANDOFF_TTL_MS).catch(() => undefined);
      throw error;
    });
    this.#running.set(code, job);
    job
      .catch(() => undefined)
      .finally(() => {
        this.#running.delete(code);
        this.#completed.set(code, true);
      });
  }

  /** Settles once every launch under way has ended (tests wait for it before they count calls to Concur). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }

  /**
   * The session token a hand-off code stands for, once its launch is complete; undefined when there is none (never
   * launched, already claimed, expired). A launch refused after its page was sent is thrown as that refusal.
   */
  async claim(store: Store, handoff: string): Promise<string | undefined> {
    const code = sessionKey(handoff);
    const job = this.#running.get(code);
    if (job)
      await job.catch(async (error: unknown) => {
        await store.takeHandoff(code);
        throw error;
      });
    const ranHere = job !== undefined || this.#completed.has(code);
    const deadline = Date.now() + HANDOFF_WAIT_MS;
    for (let first = true; ; first = false) {
      const found = await store.takeHandoff(code);
      if (found) {
        if ('refused' in found) throw new LaunchRefused(found.refused);
        return found.token;
      }
      // Completed here, or never launched anywhere (the marker was not there): nothing will come.
      if (ranHere || (first && (await store.claimNonce(`handoff:${code}`, HANDOFF_TTL_MS)))) return undefined;
      if (Date.now() > deadline) return undefined;
      await sleep(POLL_MS);
    }
  }
}
