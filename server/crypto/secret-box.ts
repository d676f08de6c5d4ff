// Encryption at rest for stored secrets (tokens in sessions and the company connection): AES-256-GCM, key from config.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

/** Binds a ciphertext to its purpose, so it cannot be moved to another field and decrypt there. */
const AAD = Buffer.from('concur-leu/company-refresh-token/v1');

export function seal(key: Buffer, plaintext: string, aad: Buffer = AAD): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** Throws when the key is wrong or the ciphertext, IV or tag was altered (a full 16-byte tag is required). */
export function open(key: Buffer, sealed: Sealed, aad: Buffer = AAD): string {
  const iv = Buffer.from(sealed.iv, 'base64');
  const tag = Buffer.from(sealed.tag, 'base64');
  if (iv.length !== 12 || tag.length !== 16)
    throw new Error('the sealed value has a malformed IV or authentication tag');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 }).setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}

/** TOKEN_ENCRYPTION_KEY: 32 bytes, as 64 hex characters or Base64. */
export function parseKey(text: string): Buffer | undefined {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  return key.length === 32 &&
    (/^[0-9a-f]{64}$/i.test(t) || key.toString('base64').replace(/=+$/, '') === t.replace(/=+$/, ''))
    ? key
    : undefined;
}
