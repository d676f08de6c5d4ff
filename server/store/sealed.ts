// Sessions and hand-offs hold Concur tokens: the SQLite and Redis stores keep them sealed (AES-256-GCM). The
// associated data names the slot a value is kept under, so a sealed value moved to another slot does not open.
import { open, seal, type Sealed } from '../concur/secret-box.ts';
import { ConfigError } from '../config.ts';
import type { Session } from './store.ts';

const aad = (slot: string) => Buffer.from(`concur-leu/session/v1|${slot}`);

export function sealSession(key: Buffer, slot: string, session: Session): string {
  return JSON.stringify(seal(key, JSON.stringify(session), aad(slot)));
}

/** The session, or undefined for another key or a damaged value: gone, as if it had expired. */
export function openSession(key: Buffer, slot: string, text: string): Session | undefined {
  try {
    return JSON.parse(open(key, JSON.parse(text) as Sealed, aad(slot))) as Session;
  } catch {
    return undefined;
  }
}

const KEY_CHECK = 'concur-leu key check';

/** A value sealed with the store's key when the store is first used, to tell a wrong key at start. */
export const keyCheckValue = (key: Buffer): string => JSON.stringify(seal(key, KEY_CHECK, aad('keycheck')));

/** Stops the start when the store was written with another TOKEN_ENCRYPTION_KEY (its sessions would all be lost). */
export function verifyKeyCheck(key: Buffer, stored: string): void {
  let ok = false;
  try {
    ok = open(key, JSON.parse(stored) as Sealed, aad('keycheck')) === KEY_CHECK;
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new ConfigError(
      'TOKEN_ENCRYPTION_KEY: is not the key this store was written with ' +
        '(every instance, and every restart, needs the same key). Set the original key, or start on an empty store.',
    );
  }
}
