// HMAC-SHA256 signatures of Concur's Launch External URL v4 callouts, protocol sheet §1, §2, §11 (v1's HMAC-SHA1 went with v1).
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

export interface ConnectorCredentials {
  username: string;
  password: string;
}

/** The signed parameters of a v4 launch, in the order Concur concatenates them. */
export interface SignedLaunchV4 {
  company_domain: string;
  logged_in_user_id: string;
  report_owner_user_id: string;
  report_owner_employee_id: string;
  item_url: string;
  nonce: string;
}

/**
 * The signed parameters of a Concur Request launch (protocol sheet §2): the request owner's ids where Expense has the
 * report owner's. The base string is byte-identical, so it is signed and verified as a SignedLaunchV4 holding them.
 */
export interface SignedRequestLaunchV4 extends Omit<
  SignedLaunchV4,
  'report_owner_user_id' | 'report_owner_employee_id'
> {
  request_owner_user_id: string;
  request_owner_employee_id: string;
}

type RequestOwner = Pick<SignedRequestLaunchV4, 'request_owner_user_id' | 'request_owner_employee_id'>;
type ReportOwner = Pick<SignedLaunchV4, 'report_owner_user_id' | 'report_owner_employee_id'>;

/** A Request launch's values (signed, and any others) with its owner's ids in the places Expense's take. */
export function requestOwnerSigned<T extends RequestOwner>({
  request_owner_user_id,
  request_owner_employee_id,
  ...rest
}: T): Omit<T, keyof RequestOwner> & ReportOwner {
  return { ...rest, report_owner_user_id: request_owner_user_id, report_owner_employee_id: request_owner_employee_id };
}

/** The HMAC key (lowercased username + password, protocol sheet §1, §12.5), made once per set of credentials. */
const keys = new WeakMap<ConnectorCredentials, KeyObject>();
function keyOf(credentials: ConnectorCredentials): KeyObject {
  let key = keys.get(credentials);
  if (!key)
    keys.set(
      credentials,
      (key = createSecretKey(Buffer.from(credentials.username.toLowerCase() + credentials.password, 'utf8'))),
    );
  return key;
}

function macV4(p: SignedLaunchV4, credentials: ConnectorCredentials): Buffer {
  const { username, password } = credentials;
  const base =
    p.company_domain +
    p.logged_in_user_id +
    p.report_owner_user_id +
    p.report_owner_employee_id +
    p.item_url +
    username +
    password +
    p.nonce;
  // The key lowercases the username; the base string keeps it as registered (protocol sheet §1, §12.5).
  return createHmac('sha256', keyOf(credentials)).update(base, 'utf8').digest();
}

/** The Base64 signature Concur would send for these parameters. */
export function signLaunchV4(p: SignedLaunchV4, credentials: ConnectorCredentials): string {
  return macV4(p, credentials).toString('base64');
}

/** Constant-time comparison of a received Base64 signature with the expected MAC. */
function matches(expected: Buffer, signature: string): boolean {
  // A '+' that arrived unescaped was turned into a space by form decoding. Only strict Base64 is read: Node's
  // decoder would skip stray characters and stop at '=', so "<signature>=junk" would otherwise pass.
  const b64 = signature.replace(/ /g, '+');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  const provided = Buffer.from(b64, 'base64');
  return provided.length === expected.length && timingSafeEqual(provided, expected);
}

/** The Base64 signature Concur Request would send for these parameters. */
export function signRequestLaunchV4(p: SignedRequestLaunchV4, credentials: ConnectorCredentials): string {
  return signLaunchV4(requestOwnerSigned(p), credentials);
}

export function isValidSignatureV4(p: SignedLaunchV4, signature: string, credentials: ConnectorCredentials): boolean {
  return matches(macV4(p, credentials), signature);
}
