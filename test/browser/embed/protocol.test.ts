// The picker's message protocol with its host: the handshake, a result sent before the host connected, cancel,
// error, and messages from a wrong origin or a wrong window ignored.
import '../setup.js';
import { expect } from '@open-wc/testing';
import { connectPicker, PickerError, PROTOCOL_VERSION } from '../../../src/embed/protocol.js';

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
    await new Promise((r) => setTimeout(r, 300));
    const result = await connectPicker(frame.contentWindow!, { pickerOrigin: location.origin, timeoutMs: 5000 });
    expect(result).to.deep.equal({
      leu: PROTOCOL_VERSION, type: 'result', field: 'custom12', writes: [{ field: 'custom12', value: 'PRJ-1042' }],
      item: { code: 'PRJ-1042', label: 'Office move Frankfurt' },
    });
  });

  it('a cancel resolves with null, an error rejects with its code', async () => {
    expect(await connectPicker(picker('cancel').contentWindow!, { pickerOrigin: location.origin, timeoutMs: 5000 })).to.equal(null);
    const failed = await connectPicker(picker('error').contentWindow!, { pickerOrigin: location.origin, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(failed).to.be.instanceOf(PickerError);
    expect((failed as PickerError).code).to.equal('picker_failed');
    expect((failed as PickerError).message).to.equal('The list could not be read.');
  });

  it('a host whose origin is not allowed never hears from the picker', async () => {
    const frame = picker('result', 'https://portal.example.com');
    const outcome = await connectPicker(frame.contentWindow!, { pickerOrigin: location.origin, timeoutMs: 800 }).catch((e: unknown) => e);
    expect(outcome).to.be.instanceOf(PickerError);
    expect((outcome as PickerError).code).to.equal('timeout');
  });

  it('the host ignores a ready from a window it did not open, or from another origin', async () => {
    const frame = picker('cancel');
    const other = picker('result');
    // The host waits for `frame` only, and claims the picker lives on another origin: neither frame's ready counts.
    const wrongOrigin = await connectPicker(frame.contentWindow!, { pickerOrigin: 'https://connector.example.com', timeoutMs: 500 }).catch((e: unknown) => e);
    expect((wrongOrigin as PickerError).code).to.equal('timeout');
    // With the right origin, the answer comes from `frame` (cancel), not from `other` (a result).
    expect(await connectPicker(frame.contentWindow!, { pickerOrigin: location.origin, timeoutMs: 5000 })).to.equal(null);
    void other;
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
    const run = (intruder.contentWindow as unknown as { Function: FunctionConstructor }).Function('target', 'sink', `
      const channel = new MessageChannel();
      channel.port1.onmessage = (e) => sink.push(e.data);
      target.postMessage({ leu: 1, type: 'connect' }, '*', [channel.port2]);
    `);
    await new Promise((r) => setTimeout(r, 150));
    run(frame.contentWindow, stolen);
    await new Promise((r) => setTimeout(r, 300));
    expect(stolen).to.deep.equal([]);
    const result = await connectPicker(frame.contentWindow!, { pickerOrigin: location.origin, timeoutMs: 5000 });
    expect(result?.writes).to.deep.equal([{ field: 'custom12', value: 'PRJ-1042' }]);
  });
});
