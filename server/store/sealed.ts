// Sessions, hand-offs and company connections hold Concur tokens: the SQLite and Redis stores keep them sealed
// (AES-256-GCM). The associated data names the kind of value and the slot it is kept under, so a sealed value
// moved to another slot, or read as another kind, does not open.
import { open, seal, type Sealed } from '../crypto/secret-box.ts';
import { ConfigError } from '../config.ts';
import type { PendingConnect } from './store.ts';
import type { Handoff, Session } from '../sessions/session.ts';
import type { CompanyConnectionRecord } from '../concur/company-connection.ts';
import type { CompanyRecord } from '../companies/record.ts';

/** The associated data: what kind of value it is, and the slot it is kept under. */
const aadFor = (kind: string, slot: string) => Buffer.from(`concur-leu/${kind}/v1|${slot}`);
const aad = (slot: string) => aadFor('session', slot);

/** Seals any JSON value for one slot; `kind` keeps values of different kinds from opening as one another. */
export function sealValue(key: Buffer, kind: string, slot: string, value: unknown): string {
  return JSON.stringify(seal(key, JSON.stringify(value), aadFor(kind, slot)));
}

/** The value, or undefined for another key, another kind or slot, or a damaged value. */
export function openValue<T>(key: Buffer, kind: string, slot: string, text: string): T | undefined {
  try {
    return JSON.parse(open(key, JSON.parse(text) as Sealed, aadFor(kind, slot))) as T;
  } catch {
    return undefined;
  }
}

export function sealSession(key: Buffer, slot: string, session: Session): string {
  return sealValue(key, 'session', slot, session);
}

/** The session, or undefined for another key or a damaged value: gone, as if it had expired. */
export function openSession(key: Buffer, slot: string, text: string): Session | undefined {
  return openValue<Session>(key, 'session', slot, text);
}

/** A hand-off holds the popup's session token: sealed under its own kind. */
export function sealHandoff(key: Buffer, slot: string, handoff: Handoff): string {
  return sealValue(key, 'handoff', slot, handoff);
}

export function openHandoff(key: Buffer, slot: string, text: string): Handoff | undefined {
  return openValue<Handoff>(key, 'handoff', slot, text);
}

/** A company connection holds the company's refresh token: sealed like a session, under its own kind. */
export function sealConnection(key: Buffer, slot: string, record: CompanyConnectionRecord): string {
  return sealValue(key, 'connection', slot, record);
}

/** The connection, or undefined for another key or a damaged value: as if it had never been made. */
export function openConnection(key: Buffer, slot: string, text: string): CompanyConnectionRecord | undefined {
  return openValue<CompanyConnectionRecord>(key, 'connection', slot, text);
}

/** A Connect in progress holds a company request token. */
export const sealPending = (key: Buffer, slot: string, p: PendingConnect): string => sealValue(key, 'pending', slot, p);
export const openPending = (key: Buffer, slot: string, text: string): PendingConnect | undefined =>
  openValue<PendingConnect>(key, 'pending', slot, text);

/** A registered company holds its connector password. */
export const sealCompany = (key: Buffer, record: CompanyRecord): string =>
  sealValue(key, 'company', `company:${record.id}`, record);
export const openCompany = (key: Buffer, id: string, text: string): CompanyRecord | undefined =>
  openValue<CompanyRecord>(key, 'company', `company:${id}`, text);

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
