// A stand-in picker page for the protocol tests: it answers before any host has connected, as a fast user might.
import { HostLink } from '../../../src/embed/protocol.ts';

const params = new URLSearchParams(location.search);
const link = new HostLink(window.parent, (params.get('allowed') ?? '').split(',').filter(Boolean));
switch (params.get('action')) {
  case 'result':
    link.send({
      type: 'result',
      field: 'custom12',
      writes: [{ field: 'custom12', value: 'PRJ-1042' }],
      item: { code: 'PRJ-1042', label: 'Office move Frankfurt' },
    });
    break;
  case 'cancel':
    link.send({ type: 'cancel' });
    break;
  case 'error':
    link.send({ type: 'error', code: 'picker_failed', message: 'The list could not be read.' });
    break;
}
link.start(50);
