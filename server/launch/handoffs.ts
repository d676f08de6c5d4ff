// A launch answers with the popup's page at once; its calls to Concur (the code exchange, the owner check) end while
// the page loads. The popup's claim of its session waits for them: in memory when this instance runs them, through
// the store when another one does.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { AppError, ConcurUnavailable } from '../errors.ts';
import type { Store } from '../store/store.ts';
import type { Handoff } from '../sessions/session.ts';
import type { ServerErrorCode } from '../../src/contract/error-codes.ts';
import { sessionKey } from './launch.ts';
import { HANDOFF_TTL_MS } from './limits.ts';

/**
 * How long a launch's calls to Concur may take in all (the code exchange and the owner check beside it, each with
 * its retries: a company-token refresh and a read of three tries can take about 41 s), after which it is refused.
 */
export const LAUNCH_DEADLINE_MS = 45_000;
/** How long a claim waits for a launch another instance is completing: past that launch's own deadline. */
export const HANDOFF_WAIT_MS = LAUNCH_DEADLINE_MS + 5_000;
/** A claim looks again after this, then less and less often (at most every second). */
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

/** The launches this instance is completing, by hand-off code (hashed). */
export class LaunchesInFlight {
  readonly #running = new Map<string, Promise<void>>();

  /**
   * Marks the hand-off as pending (so a claim on any instance knows to wait for it) and runs the launch's remaining
   * work in the background, within LAUNCH_DEADLINE_MS. A refusal is kept under the hand-off for the claim, and logged.
   */
  async start(store: Store, handoff: string, work: () => Promise<void>, log: () => Logger): Promise<void> {
    const code = sessionKey(handoff);
    await store.putHandoff(code, { pending: true }, HANDOFF_TTL_MS);
    const job = withDeadline(work()).catch(async (error: unknown) => {
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
      });
  }

  /** Settles once every launch under way has ended (tests wait for it before they count calls to Concur). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.#running.values()]);
  }

  /**
   * The session token a hand-off code stands for, once its launch is complete; undefined when there is none (never
   * launched, already claimed, expired). A launch refused after its page was sent is thrown as that refusal. Only a
   * launch still pending is waited for (here in memory, elsewhere by looking at the store); a claim never writes.
   */
  async claim(store: Store, handoff: string): Promise<string | undefined> {
    const code = sessionKey(handoff);
    const job = this.#running.get(code);
    if (job)
      await job.catch(async (error: unknown) => {
        await store.takeHandoff(code);
        throw error;
      });
    const deadline = Date.now() + HANDOFF_WAIT_MS;
    for (let wait = POLL_MS; ; wait = Math.min(1_000, wait * 2)) {
      const seen = await store.peekHandoff(code);
      if (!seen) return undefined;
      if (!('pending' in seen)) {
        // Taken at once: of two claims, one gets it.
        const found = await store.takeHandoff(code);
        if (!found || 'pending' in found) return undefined;
        if ('refused' in found) throw new LaunchRefused(found.refused);
        return found.token;
      }
      if (Date.now() + wait > deadline) return undefined;
      await sleep(wait);
    }
  }
}

/** The launch's calls to Concur, refused once they take longer than LAUNCH_DEADLINE_MS. */
function withDeadline(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ConcurUnavailable(
            'Concur took too long to sign you in. Close this window and click the button in Concur again.',
          ),
        ),
      LAUNCH_DEADLINE_MS,
    );
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
