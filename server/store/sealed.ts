// Sessions and hand-offs hold Concur tokens: the SQLite and Redis stores keep them sealed (AES-256-GCM).
import { open, seal, type Sealed } from '../concur/secret-box.js';
import type { Session } from './store.js';

const SESSION_AAD = Buffer.from('concur-leu/session/v1');

export function sealSession(key: Buffer, session: Session): string {
  return JSON.stringify(seal(key, JSON.stringify(session), SESSION_AAD));
}

/** The session, or undefined for another key or a damaged value: gone, as if it had expired. */
export function openSession(key: Buffer, text: string): Session | undefined {
  try {
    return JSON.parse(open(key, JSON.parse(text) as Sealed, SESSION_AAD)) as Session;
  } catch {
    return undefined;
  }
}
