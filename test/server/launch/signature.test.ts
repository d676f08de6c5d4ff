// The protocol sheet's worked v4 vectors (§11), and every way a launch can fail verification.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { signLaunchV4, isValidSignatureV4 } from '../../../server/launch/signature.ts';
import { verifyLaunchV4 } from '../../../server/launch/launch.ts';
import { createHostAllowlist } from '../../../server/concur/hosts.ts';
import { LaunchParamsInvalid, LaunchSignatureInvalid } from '../../../server/errors.ts';

const creds = { username: 'LeuConnectorUser', password: 'S3cret-Passw0rd!' };
const allowlist = createHostAllowlist([]);
const VECTOR_QUERY =
  'logged_in_user_id=6f0e2a4b-1c3d-4e5f-8a9b-0c1d2e3f4a5b' +
  '&report_owner_user_id=d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6' +
  '&report_owner_employee_id=EMP-00042' +
  '&company_domain=acmecorp.com' +
  '&item_url=https%3A%2F%2Fus.api.concursolutions.com%2Fexpensereports%2Fv4%2Fusers' +
  '%2Fd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6%2Fcontext%2FTRAVELER%2Freports%2F764428DD6A664AF0BFCB' +
  '%2Fexpenses%2F84FCBB92BD4E5342B849DAC29FD163A1' +
  '&custom_field_launched_from=custom12&source=ENTRY&is_mobile=false' +
  '&signature=fyHJZ38aPEDRQIklvoAid0lQeGQDUDjr9I0AQ%2Bv2k6Y%3D' +
  '&nonce=0b7d5c1e-9a8f-4f3e-b2d1-6c5a4b3e2f10' +
  '&client_auth_code=EXAMPLE-AUTH-CODE-123' +
  '&language_code=en-GB';

const params = (qs: string) => Object.fromEntries(new URLSearchParams(qs));
const signedOf = (q: Record<string, string>) => ({
  company_domain: q.company_domain!,
  logged_in_user_id: q.logged_in_user_id!,
  report_owner_user_id: q.report_owner_user_id!,
  report_owner_employee_id: q.report_owner_employee_id!,
  item_url: q.item_url!,
  nonce: q.nonce!,
});

describe('v4 signature vectors from the protocol sheet', () => {
  test('the worked example produces the documented signature', () => {
    assert.equal(signLaunchV4(signedOf(params(VECTOR_QUERY)), creds), 'fyHJZ38aPEDRQIklvoAid0lQeGQDUDjr9I0AQ+v2k6Y=');
  });

  test('the worked query string is accepted, with the + escaped as %2B', () => {
    const { query, item } = verifyLaunchV4(params(VECTOR_QUERY), creds, allowlist);
    assert.equal(query.custom_field_launched_from, 'custom12');
    assert.equal(item.expenseId, '84FCBB92BD4E5342B849DAC29FD163A1');
    assert.equal(query.language_code, 'en-GB');
  });

  test('the worked query string is accepted when the + arrives unescaped', () => {
    const raw = VECTOR_QUERY.replace('Q%2Bv2k6Y', 'Q+v2k6Y'); // form decoding turns it into a space
    assert.doesNotThrow(() => verifyLaunchV4(params(raw), creds, allowlist));
  });

  test('the documented tampered item_url gives the documented different signature', () => {
    const q = params(VECTOR_QUERY);
    const tampered = { ...signedOf(q), item_url: q.item_url!.replace(/A1$/, 'A2') };
    assert.equal(signLaunchV4(tampered, creds), 'FYRRZ4jnuOJwXQqnJbq0lL0I7w8rVI+gFWMruL2YweU=');
    assert.equal(isValidSignatureV4(tampered, q.signature!, creds), false);
  });

  test('the lowercased-username diagnostic variant is not what Concur signs', () => {
    const q = params(VECTOR_QUERY);
    assert.equal(isValidSignatureV4(signedOf(q), 'qF76mcSTdlKVcNpSwKL9TCXxpGFTKHOVjHI8wUwuOOM=', creds), false);
  });
});

describe('verification failures', () => {
  const signedNames = [
    'company_domain',
    'logged_in_user_id',
    'report_owner_user_id',
    'report_owner_employee_id',
    'item_url',
    'nonce',
  ];
  for (const name of signedNames) {
    test(`a tampered ${name} is refused`, () => {
      const q = params(VECTOR_QUERY);
      // Within each value's format (a user id stays a UUID): the signature is what refuses it.
      q[name] =
        name === 'item_url'
          ? q.item_url!.replace(/A1$/, 'A2')
          : name.endsWith('user_id')
            ? q[name]!.replace(/.$/, (c) => (c === '0' ? '1' : '0'))
            : `${q[name]}x`;
      assert.throws(() => verifyLaunchV4(q, creds, allowlist), LaunchSignatureInvalid);
    });
  }

  test('a wrong connector password is refused', () => {
    assert.throws(
      () => verifyLaunchV4(params(VECTOR_QUERY), { ...creds, password: 'S3cret-Passw0rd?' }, allowlist),
      LaunchSignatureInvalid,
    );
  });

  test('a signature that is not Base64 of the right length is refused', () => {
    const q = { ...params(VECTOR_QUERY), signature: 'AAAA' };
    assert.throws(() => verifyLaunchV4(q, creds, allowlist), LaunchSignatureInvalid);
  });

  for (const name of [
    'company_domain',
    'item_url',
    'nonce',
    'signature',
    'client_auth_code',
    'custom_field_launched_from',
    'source',
  ]) {
    test(`a missing ${name} is refused as malformed, naming it`, () => {
      const q = params(VECTOR_QUERY);
      delete q[name];
      assert.throws(
        () => verifyLaunchV4(q, creds, allowlist),
        (e: Error) => e instanceof LaunchParamsInvalid && e.message.includes(name),
      );
    });
  }

  test('an empty report_owner_employee_id still verifies (signed as "")', () => {
    const q: Record<string, string> = { ...params(VECTOR_QUERY), report_owner_employee_id: '' };
    q.signature = signLaunchV4(signedOf(q), creds);
    assert.doesNotThrow(() => verifyLaunchV4(q, creds, allowlist));
  });
});
