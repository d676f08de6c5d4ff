// Sealed secrets (AES-256-GCM at rest): a value whose tag or ciphertext was altered does not open.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { open, seal } from '../../../server/crypto/secret-box.ts';

describe('sealed secrets', () => {
  const key = Buffer.alloc(32, 9);
  test('a truncated authentication tag is refused', () => {
    const sealed = seal(key, 'refresh-token');
    const short = { ...sealed, tag: Buffer.from(sealed.tag, 'base64').subarray(0, 4).toString('base64') };
    assert.throws(() => open(key, short), /malformed IV or authentication tag/);
  });
  test('an altered ciphertext is refused', () => {
    const sealed = seal(key, 'refresh-token');
    const data = Buffer.from(sealed.data, 'base64');
    data[0] = data[0]! ^ 1;
    assert.throws(() => open(key, { ...sealed, data: data.toString('base64') }));
    assert.equal(open(key, sealed), 'refresh-token');
  });
});
