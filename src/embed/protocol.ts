// The picker's message protocol with a host that frames it or opens it in a popup: version 1, over a
// MessageChannel set up by a ready/connect/ack handshake, with the host's origin checked against an allowlist.
//
//   picker -> host window  { leu: 1, type: 'ready' }            repeated until connected, to each allowed origin
//   host -> picker window  { leu: 1, type: 'connect' } + port   only from the window that framed/opened it
//   picker -> host port    { leu: 1, type: 'ack' }, then 'result' | 'cancel' | 'error' (queued until the ack)
//   host -> picker port    { leu: 1, type: 'received' }          after a result or cancel: the picker may now close
import * as z from 'zod/mini';
import { FieldWrite } from '../contract/api.ts';

export const PROTOCOL_VERSION = 1;

const Ready = z.object({ leu: z.literal(PROTOCOL_VERSION), type: z.literal('ready') });
const Connect = z.object({ leu: z.literal(PROTOCOL_VERSION), type: z.literal('connect') });
const Received = z.object({ leu: z.literal(PROTOCOL_VERSION), type: z.literal('received') });

export const PickerMessage = z.discriminatedUnion('type', [
  z.object({ leu: z.literal(PROTOCOL_VERSION), type: z.literal('ack') }),
  z.object({
    leu: z.literal(PROTOCOL_VERSION),
    type: z.literal('result'),
    field: z.string(),
    writes: z.array(FieldWrite),
    item: z.optional(
      z.object({
        code: z.string(),
        label: z.string(),
        detail: z.optional(z.string()),
        display: z.optional(z.string()),
      }),
    ),
    answers: z.optional(z.record(z.string(), z.string())),
  }),
  z.object({ leu: z.literal(PROTOCOL_VERSION), type: z.literal('cancel') }),
  z.object({ leu: z.literal(PROTOCOL_VERSION), type: z.literal('error'), code: z.string(), message: z.string() }),
]);
export type PickerMessage = z.infer<typeof PickerMessage>;
export type PickerResult = Extract<PickerMessage, { type: 'result' }>;
type Outgoing = PickerMessage extends infer M ? (M extends { type: 'ack' } ? never : Omit<M, 'leu'>) : never;

/**
 * The picker's side. Announces itself to the window that framed or opened it until that window connects from an
 * allowed origin; messages sent before then wait in a queue, so none is lost. A connect from any other window
 * or origin is ignored.
 */
export class HostLink {
  #port?: MessagePort;
  #queue: PickerMessage[] = [];
  #delivered!: () => void;
  /** Resolves when the host has confirmed it received the result or cancel: only then may a popup close. */
  readonly delivered = new Promise<void>((resolve) => {
    this.#delivered = resolve;
  });
  #timer?: ReturnType<typeof setInterval>;
  readonly #onMessage = (event: MessageEvent) => this.#connect(event);

  constructor(
    /** window.parent in a frame, window.opener in a popup. */
    private readonly host: Window,
    /** Origins that may receive the picker's results. */
    private readonly allowedOrigins: readonly string[],
    private readonly self: Window = window,
  ) {}

  /** Starts announcing; call once the picker can take a connection. */
  start(intervalMs = 250): void {
    this.self.addEventListener('message', this.#onMessage);
    const announce = () => {
      for (const origin of this.allowedOrigins) {
        try {
          this.host.postMessage({ leu: PROTOCOL_VERSION, type: 'ready' }, origin);
        } catch {
          // A closed or navigated-away host: keep trying until stopped.
        }
      }
    };
    announce();
    this.#timer = setInterval(announce, intervalMs);
  }

  get connected(): boolean {
    return this.#port !== undefined;
  }

  send(message: Outgoing): void {
    const full = { leu: PROTOCOL_VERSION, ...message } as PickerMessage;
    if (this.#port) this.#port.postMessage(full);
    else this.#queue.push(full);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.self.removeEventListener('message', this.#onMessage);
    this.#port?.close();
  }

  #connect(event: MessageEvent) {
    if (this.#port || event.source !== this.host || !this.allowedOrigins.includes(event.origin)) return;
    if (!Connect.safeParse(event.data).success || !event.ports[0]) return;
    clearInterval(this.#timer);
    this.#port = event.ports[0];
    this.#port.onmessage = (e: MessageEvent) => {
      if (Received.safeParse(e.data).success) this.#delivered();
    };
    this.#port.postMessage({ leu: PROTOCOL_VERSION, type: 'ack' } satisfies PickerMessage);
    for (const m of this.#queue.splice(0)) this.#port.postMessage(m);
  }
}

/** The user cancelled, or the picker reported an error, or it never answered. */
export class PickerError extends Error {
  override name = 'PickerError';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface ConnectOptions {
  /** The picker's origin (the connector's), e.g. https://connector.example.com. */
  pickerOrigin: string;
  /** Give up when the picker has not connected within this time (default: wait as long as it takes). */
  timeoutMs?: number;
  /** How often to check whether a popup was closed without an answer. */
  closedCheckMs?: number;
  signal?: AbortSignal;
}

/**
 * The host's side: waits for the picker in `target` (an iframe's contentWindow, or a popup from window.open) to
 * say it is ready, connects a MessageChannel, and resolves with the user's choice, or null when the user
 * cancelled. Rejects with a PickerError for an error the picker reports, or on timeout. Messages from other
 * windows or origins are ignored.
 */
export function connectPicker(
  target: Window,
  opts: ConnectOptions,
  self: Window = window,
): Promise<PickerResult | null> {
  return new Promise((resolve, reject) => {
    let channel: MessageChannel | undefined;
    let acked = false;
    const done = () => {
      self.removeEventListener('message', onReady);
      clearTimeout(timer);
      clearInterval(watch);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    // A popup the user closed (or a frame removed) before answering: the promise must not wait forever.
    const watch = setInterval(() => {
      if (target.closed) fail(new PickerError('The picker was closed without an answer.', 'closed'));
    }, opts.closedCheckMs ?? 500);
    const fail = (error: PickerError) => {
      done();
      channel?.port1.close();
      reject(error);
    };
    const onAbort = () => fail(new PickerError('The host stopped waiting for the picker.', 'aborted'));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            if (!acked) fail(new PickerError('The picker did not answer.', 'timeout'));
          }, opts.timeoutMs);
    const onReady = (event: MessageEvent) => {
      if (
        channel ||
        event.source !== target ||
        event.origin !== opts.pickerOrigin ||
        !Ready.safeParse(event.data).success
      )
        return;
      channel = new MessageChannel();
      channel.port1.onmessage = (e: MessageEvent) => {
        const message = PickerMessage.safeParse(e.data);
        if (!message.success) return;
        switch (message.data.type) {
          case 'ack':
            acked = true;
            clearTimeout(timer);
            return;
          case 'result':
          case 'cancel':
            done();
            // Tell the picker its answer arrived, so a popup may close now and not before.
            channel!.port1.postMessage({ leu: PROTOCOL_VERSION, type: 'received' });
            channel!.port1.close();
            return resolve(message.data.type === 'result' ? message.data : null);
          case 'error':
            return fail(new PickerError(message.data.message, message.data.code));
        }
      };
      target.postMessage({ leu: PROTOCOL_VERSION, type: 'connect' }, opts.pickerOrigin, [channel.port2]);
    };
    self.addEventListener('message', onReady);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
