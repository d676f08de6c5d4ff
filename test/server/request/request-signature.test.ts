// Concur Request launches' signatures (protocol sheet §2, §11): the v4 vector verifies with the Request owner names,
// a Request item_url signs as the sheet's reference verifier computes it, and the Request item_url forms accepted.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signLaunchV4, signRequestLaunchV4 } from '../../../server/launch/signature.ts';
import { authenticateLaunchV4, verifyLaunchV4 } from '../../../server/launch/launch.ts';
import { createHostAllowlist } from '../../../server/concur/hosts.ts';
import { parseRequestItemUrl } from '../../../server/concur/request-item-url.ts';
import { LaunchParamsInvalid, LaunchSignatureInvalid } from '../../../server/errors.ts';
import { signedParams } from '../launch/tampering.ts';

const creds = { username: 'LeuConnectorUser', password: 'S3cret-Passw0rd!' };
const allowlist = createHostAllowlist([]);
/** The §11 worked example, with request_owner_* in place of report_owner_* (the same values). */
const VECTOR = {
  logged_in_user_id: '6f0e2a4b-1c3d-4e5f-8a9b-0c1d2e3f4a5b',
  request_owner_user_id: 'd1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6',
  request_owner_employee_id: 'EMP-00042',
  company_domain: 'acmecorp.com',
  item_url:
    'https://us.api.concursolutions.com/expensereports/v4/users/d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6/context/' +
    'TRAVELER/reports/764428DD6A664AF0BFCB/expenses/84FCBB92BD4E5342B849DAC29FD163A1',
  custom_field_launched_from: 'custom12',
  source: 'ENTRY',
  is_mobile: 'false',
  signature: 'fyHJZ38aPEDRQIklvoAid0lQeGQDUDjr9I0AQ+v2k6Y=',
  nonce: '0b7d5c1e-9a8f-4f3e-b2d1-6c5a4b3e2f10',
  client_auth_code: 'EXAMPLE-AUTH-CODE-123',
  language_code: 'en-GB',
};
const signedOf = (q: Record<string, string>) => ({
  company_domain: q.company_domain!,
  logged_in_user_id: q.logged_in_user_id!,
  request_owner_user_id: q.request_owner_user_id!,
  request_owner_employee_id: q.request_owner_employee_id!,
  item_url: q.item_url!,
  nonce: q.nonce!,
});

/** The sheet's reference verifier (§11), with the Request names: an implementation independent of ours. */
function reference(q: Record<string, string>): string {
  const g = (k: string) => q[k] ?? '';
  const base =
    g('company_domain') +
    g('logged_in_user_id') +
    g('request_owner_user_id') +
    g('request_owner_employee_id') +
    g('item_url') +
    creds.username +
    creds.password +
    g('nonce');
  return createHmac('sha256', creds.username.toLowerCase() + creds.password)
    .update(base, 'utf8')
    .digest('base64');
}

describe('v4 signature vectors with the Request owner names', () => {
  test('the §11 vector signs to the documented signature with request_owner_* (the same concatenation)', () => {
    assert.equal(signRequestLaunchV4(signedOf(VECTOR), creds), 'fyHJZ38aPEDRQIklvoAid0lQeGQDUDjr9I0AQ+v2k6Y=');
  });

  test('its query verifies as a Request launch; its Expense item_url is then not a travel request', () => {
    const query = authenticateLaunchV4(VECTOR, creds, 'request');
    assert.equal(query.product, 'request');
    assert.equal(query.report_owner_user_id, VECTOR.request_owner_user_id);
    assert.equal(query.report_owner_employee_id, 'EMP-00042');
    assert.throws(
      () => verifyLaunchV4(VECTOR, creds, allowlist, 'request'),
      (e: Error) => e instanceof LaunchParamsInvalid && e.message.includes('not a Request v4'),
    );
  });

  test('with an unescaped + (form decoding makes it a space) it still verifies', () => {
    assert.doesNotThrow(() =>
      authenticateLaunchV4({ ...VECTOR, signature: VECTOR.signature.replace('+', ' ') }, creds, 'request'),
    );
  });

  test('a Request item_url: our signature is the reference verifier’s, and the launch verifies', () => {
    const q = {
      ...VECTOR,
      item_url: 'https://us.api.concursolutions.com/travelrequest/v4/requests/a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607',
      source: 'HEADER',
      custom_field_launched_from: 'custom5',
    };
    const signature = signRequestLaunchV4(signedOf(q), creds);
    assert.equal(signature, reference(q));
    assert.equal(
      signature,
      signLaunchV4(
        {
          ...signedOf(q),
          report_owner_user_id: q.request_owner_user_id,
          report_owner_employee_id: q.request_owner_employee_id,
        },
        creds,
      ),
      'byte-identical to the Expense concatenation of the same values',
    );
    const { query, item } = verifyLaunchV4({ ...q, signature }, creds, allowlist, 'request');
    assert.equal(query.source, 'HEADER');
    assert.deepEqual(item, {
      product: 'request',
      kind: 'HEADER',
      base: 'https://us.api.concursolutions.com',
      requestId: 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607',
    });
  });

  for (const name of signedParams('request')) {
    test(`a tampered ${name} is refused`, () => {
      const q: Record<string, string> = { ...VECTOR };
      q[name] = name.endsWith('user_id') ? q[name]!.replace(/.$/, (c) => (c === '0' ? '1' : '0')) : `${q[name]}x`;
      assert.throws(() => authenticateLaunchV4(q, creds, 'request'), LaunchSignatureInvalid);
    });
  }

  test('an empty request_owner_employee_id verifies, signed as ""', () => {
    const q = { ...VECTOR, request_owner_employee_id: '' };
    assert.doesNotThrow(() =>
      authenticateLaunchV4({ ...q, signature: signRequestLaunchV4(signedOf(q), creds) }, creds, 'request'),
    );
  });

  test('the query cannot say which product it is: a product parameter is ignored', () => {
    assert.equal(authenticateLaunchV4({ ...VECTOR, product: 'expense' }, creds, 'request').product, 'request');
  });
});

describe('a Request item_url: strict about where it points, tolerant about how the path is written', () => {
  const R = 'a3f1c2d4-5b6e-4f70-8a91-b2c3d4e5f607';
  const E = '5d0c6a1e-2b3f-4c4d-8e5f-6a7b8c9d0e11';
  const A = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c41';
  const H = 'https://us2.api.concursolutions.com';
  const accepted: [string, ReturnType<typeof parseRequestItemUrl>][] = [
    [`${H}/travelrequest/v4/requests/${R}`, { product: 'request', kind: 'HEADER', base: H, requestId: R }],
    [`${H}/travelrequest/v4/requests/${R}/`, { product: 'request', kind: 'HEADER', base: H, requestId: R }],
    [`${H}/TravelRequest/V4/Requests/${R}`, { product: 'request', kind: 'HEADER', base: H, requestId: R }],
    [`${H}/travelrequest/v4/requests/${R}?userId=x`, { product: 'request', kind: 'HEADER', base: H, requestId: R }],
    [
      `${H}/proxy/travelrequest/v4/requests/${R}`,
      { product: 'request', kind: 'HEADER', base: `${H}/proxy`, requestId: R },
    ],
    [`${H}/travelrequest/v4/expenses/${E}`, { product: 'request', kind: 'ENTRY', base: H, expenseId: E }],
    [
      `${H}/travelrequest/v4/requests/${R}/expenses/${E}`,
      { product: 'request', kind: 'ENTRY', base: H, requestId: R, expenseId: E },
    ],
    [
      `${H}/travelrequest/v4/requests/${R}/allocations/${A}`,
      { product: 'request', kind: 'ALLOCATION', base: H, requestId: R, allocationId: A },
    ],
    [
      `${H}/travelrequest/v4/requests/${R}/expenses/${E}/allocations/${A}`,
      { product: 'request', kind: 'ALLOCATION', base: H, requestId: R, expenseId: E, allocationId: A },
    ],
  ];
  for (const [url, ref] of accepted)
    test(`reads ${url.slice(H.length)}`, () => assert.deepEqual(parseRequestItemUrl(url), ref));

  for (const url of [
    `${H}/travelrequest/v4/requests`,
    `${H}/travelrequest/v4/allocations/${A}`,
    `${H}/travelrequest/v3/requests/${R}`,
    `${H}/travelrequest/v4/requests/${R}/comments/1`,
    `${H}/travelrequest/v4/requests/a%2Fb`,
    `https://user:pw@us2.api.concursolutions.com/travelrequest/v4/requests/${R}`,
    `javascript:alert(1)//travelrequest/v4/requests/${R}`,
    `${H}/expensereports/v4/users/${R}/context/TRAVELER/reports/R1`,
    'not a url',
  ])
    test(`refuses ${url}`, () => assert.equal(parseRequestItemUrl(url), null));
});
