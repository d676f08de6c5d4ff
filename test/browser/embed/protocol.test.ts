// The picker's message protocol with its host: the handshake, a result sent before the host connected, cancel,
// error, and messages from a wrong origin or a wrong window ignored.
import '../setup.ts';
import { aTimeout, expect } from '@open-wc/testing';
import { connectPicker, HostLink, PickerError, PROTOCOL_VERSION } from '../../../src/embed/protocol.ts';

const frames: HTMLIFrameElement[] = [];
function picker(action: string, allowed = location.origin): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  frame.src = `/test/browser/embed/frame.html?${new URLSearchParams({ action, allowed })}`;
  document.body.append(frame);
  frames.push(frame);
  return frame;
}
afterEach(() => frames.splice(0).forEach((f) => f.remove()));

describe('the picker protocol', () => {
  it('connects over a MessageChannel and delivers a result the picker sent before the host was listening', async () => {
    const frame = picker('result');
    // The host starts listening late: the picker keeps announcing itself until it is answered.
    await aTimeout(300);
    const result = await connectPicker(frame.contentWindow!, { pickerOrigin: location.origin, timeoutMs: 5000 });
    expect(result).to.deep.equal({
      leu: PROTOCOL_VERSION,
      type: 'result',
      field: 'custom12',
      writes: [{ field: 'custom12', value: 'PRJ-1042' }],
      item: { code: 'PRJ-1042', label: 'Office move Frankfurt' },
    });
  });

  it('a cancel resolves with null, an error rejects with its code', async () => {
    expect(
      await connectPicker(picker('cancel').contentWindow!, { pickerOrigin: location.origin, timeoutMs: 5000 }),
    ).to.equal(null);
    const failed = await connectPicker(picker('error').contentWindow!, {
      pickerOrigin: location.origin,
      timeoutMs: 5000,
    }).catch((e: unknown) => e);
    expect(failed).to.be.instanceOf(PickerError);
    expect((failed as PickerError).code).to.equal('picker_failed');
    expect((failed as PickerError).message).to.equal('The list could not be read.');
  });

  it('a host whose origin is not allowed never hears from the picker', async () => {
    const frame = picker('result', 'https://portal.example.com');
    const outcome = await connectPicker(frame.contentWindow!, { pickerOrigin: location.origin, timeoutMs: 800 }).catch(
      (e: unknown) => e,
    );
    expect(outcome).to.be.instanceOf(PickerError);
    expect((outcome as PickerError).code).to.equal('timeout');
  });

  /** Two plain windows to stand for the picker's host and an intruder, and a fake `window` to dispatch messages on. */
  async function windows() {
    const make = async () => {
      const f = document.createElement('iframe');
      f.srcdoc = '<p>a window</p>';
      document.body.append(f);
      frames.push(f);
      await new Promise((r) => f.addEventListener('load', r, { once: true }));
      return f.contentWindow!;
    };
    return { host: await make(), intruder: await make(), self: new EventTarget() as unknown as Window };
  }
  const connectFrom = (self: Window, source: Window, origin: string) => {
    const channel = new MessageChannel();
    const heard: unknown[] = [];
    channel.port1.onmessage = (e) => heard.push(e.data);
    self.dispatchEvent(
      new MessageEvent('message', { data: { leu: 1, type: 'connect' }, origin, source, ports: [channel.port2] }),
    );
    return { heard, port: channel.port1 };
  };
  const tick = () => aTimeout(50);

  it('the picker takes a connect only from its own host window and from an allowed origin', async () => {
    const { host, intruder, self } = await windows();
    const link = new HostLink(host, ['https://portal.example.com'], self);
    link.start(10_000);
    link.send({ type: 'cancel' });
    const wrongOrigin = connectFrom(self, host, 'https://evil.example.net');
    const wrongWindow = connectFrom(self, intruder, 'https://portal.example.com');
    await tick();
    expect(wrongOrigin.heard).to.deep.equal([]);
    expect(wrongWindow.heard).to.deep.equal([]);
    expect(link.connected).to.equal(false);
    const right = connectFrom(self, host, 'https://portal.example.com');
    await tick();
    expect(right.heard).to.deep.equal([
      { leu: 1, type: 'ack' },
      { leu: 1, type: 'cancel' },
    ]);
    // The host's receipt lets a popup close.
    let delivered = false;
    void link.delivered.then(() => {
      delivered = true;
    });
    right.port.postMessage({ leu: 1, type: 'received' });
    await tick();
    expect(delivered).to.equal(true);
    link.stop();
  });

  it('the host answers a ready only from the window it watches and the picker origin', async () => {
    const { host: picker, intruder, self } = await windows();
    const connects: string[] = [];
    for (const [name, w] of [
      ['picker', picker],
      ['intruder', intruder],
    ] as const) {
      (w as unknown as { postMessage: (...a: unknown[]) => void }).postMessage = () => connects.push(name);
    }
    const waiting = connectPicker(
      picker,
      { pickerOrigin: 'https://connector.example.com', timeoutMs: 400 },
      self,
    ).catch((e: unknown) => e);
    const ready = { leu: 1, type: 'ready' };
    // First the intruder announces itself, then the right window from the wrong origin: neither is answered.
    self.dispatchEvent(
      new MessageEvent('message', { data: ready, origin: 'https://connector.example.com', source: intruder }),
    );
    self.dispatchEvent(
      new MessageEvent('message', { data: ready, origin: 'https://evil.example.net', source: picker }),
    );
    expect(connects).to.deep.equal([]);
    self.dispatchEvent(
      new MessageEvent('message', { data: ready, origin: 'https://connector.example.com', source: picker }),
    );
    expect(connects).to.deep.equal(['picker']);
    expect(((await waiting) as PickerError).code).to.equal('timeout', 'no ack came, so it gives up');
  });

  it('a picker window closed without an answer rejects, instead of waiting for ever', async () => {
    const frame = picker('none');
    const waiting = connectPicker(frame.contentWindow!, { pickerOrigin: location.origin, closedCheckMs: 50 }).catch(
      (e: unknown) => e,
    );
    await aTimeout(200);
    frame.remove();
    expect(((await waiting) as PickerError).code).to.equal('closed');
  });

  it('the picker ignores a connect from a window other than its host, so its result cannot be taken', async () => {
    const frame = picker('result');
    const intruder = document.createElement('iframe');
    intruder.srcdoc = '<p>another frame on the page</p>';
    document.body.append(intruder);
    frames.push(intruder);
    await new Promise((r) => intruder.addEventListener('load', r, { once: true }));
    const stolen: unknown[] = [];
    // The intruder (same origin, but not the picker's parent) offers a channel first.
    const run = (intruder.contentWindow as unknown as { Function: FunctionConstructor }).Function(
      'target',
      'sink',
      `
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => sink.push(e.data);
      target.postMessage({ leu: 1, type: 'connect' }, '*', [channel.port2]);
    `,
    ) as (target: Window | null, sink: unknown[]) => void;
    await aTimeout(150);
    run(frame.contentWindow, stolen);
    await aTimeout(300);
    expect(stolen).to.deep.equal([]);
    const result = await connectPicker(frame.contentWindow!, { pickerOrigin: location.origin, timeoutMs: 5000 });
    expect(result?.writes).to.deep.equal([{ field: 'custom12', value: 'PRJ-1042' }]);
  });
});
