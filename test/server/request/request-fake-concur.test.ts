// The fake Concur's Request v4 items hold Concur's rules (so the connector's writes are checked against them), and
// the fields configuration's products: which forms a field serves.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CONCUR, fieldsFile, useFakeConcur } from '../helpers.ts';
import {
  SANDBOX_COMPANY,
  SANDBOX_DELEGATE,
  SANDBOX_TRAVEL_REQUESTS,
  SANDBOX_USER,
} from '../../../server/sandbox/concur-state.ts';
import { SANDBOX_REQUEST_IDS } from '../../../server/sandbox/request-state.ts';
import { createFieldSources, readFieldsFile } from '../../../server/fields/fields.ts';
import { Catalog } from '../../../server/sources/catalog.ts';
import { createLogger } from '../../../server/logger.ts';
import type { ConcurClient } from '../../../server/concur/client.ts';

const { concur } = useFakeConcur();
const V4 = `${CONCUR}/travelrequest/v4`;
const userToken = (id: string = SANDBOX_USER.id) => concur().redeemCode(concur().issueAuthCode(id))!.accessToken;
const companyToken = () =>
  concur().redeemCompanyRequestToken(SANDBOX_COMPANY.id, concur().issueCompanyRequestToken())!.accessToken;
const call = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${V4}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
const put = (path: string, token: string, body: unknown) =>
  call(path, token, { method: 'PUT', body: JSON.stringify(body) });
const code = async (res: Response) => [res.status, ((await res.json()) as { errorCode?: string }).errorCode] as const;

describe('the fake Concur answers Request v4 as Concur does', () => {
  const frankfurt = `/requests/${SANDBOX_TRAVEL_REQUESTS.frankfurt.id}`;
  const taxi = `/expenses/${SANDBOX_REQUEST_IDS.taxi}`;

  test('an expected expense with a company token needs userId; with one, it is written for that user', async () => {
    const token = companyToken();
    assert.deepEqual(await code(await put(taxi, token, { custom12: { value: 'X' } })), [400, 'missingRequiredParam']);
    assert.equal((await put(`${taxi}?userId=${SANDBOX_USER.id}`, token, { custom12: { value: 'X' } })).status, 200);
    assert.equal(concur().requestForms.expenseValue(SANDBOX_REQUEST_IDS.taxi, 'custom12'), 'X');
    assert.deepEqual(
      await code(await put(`${taxi}?userId=${crypto.randomUUID()}`, token, { custom12: { value: 'X' } })),
      [400, 'userNotFound'],
    );
  });

  test("a user token acts as its user: the owner's own, a delegate's for the owner, nobody else's", async () => {
    assert.equal((await call(frankfurt, userToken())).status, 200);
    assert.equal((await call(`${frankfurt}?userId=${SANDBOX_USER.id}`, userToken(SANDBOX_DELEGATE.id))).status, 200);
    assert.deepEqual(await code(await call(`${frankfurt}?userId=${SANDBOX_DELEGATE.id}`, userToken())), [
      403,
      'userIsNotAllowed',
    ]);
    assert.deepEqual(await code(await call(frankfurt, 'not-a-token')), [401, 'invalidUser']);
  });

  test('a header without userId and a company token is written as the system; correlation ids must be UUIDs', async () => {
    assert.equal((await put(frankfurt, companyToken(), { custom5: { value: 'CC' } })).status, 200);
    assert.equal(concur().requestForms.writes[0]!.userId, undefined);
    const bad = await call(frankfurt, userToken(), { headers: { 'concur-correlationid': 'abc' } });
    assert.deepEqual(await code(bad), [400, 'invalidUuid']);
  });

  test('fields not on the form are ignored, values over 48 characters refused, cancelled requests refuse all', async () => {
    const token = userToken();
    assert.equal((await put(frankfurt, token, { custom7: { value: 'X' }, name: 'Renamed' })).status, 200);
    assert.equal(concur().requestForms.headerValue(SANDBOX_TRAVEL_REQUESTS.frankfurt.id, 'custom7'), undefined);
    assert.deepEqual(await code(await put(frankfurt, token, { custom5: { value: 'x'.repeat(49) } })), [
      400,
      'badParam',
    ]);
    const zurich = `/requests/${SANDBOX_TRAVEL_REQUESTS.zurich.id}`;
    assert.deepEqual(await code(await put(zurich, token, { custom5: { value: 'X' } })), [409, 'REQUEST_NOT_EDITABLE']);
  });
});

describe('the fields configuration: a field serves Expense, Request or both', () => {
  const deps = {
    catalog: new Catalog([]),
    client: {} as ConcurClient,
    logger: createLogger('silent'),
    env: {},
  };
  test('a field not listed under products serves Expense only, as before', async () => {
    const file = await readFieldsFile(
      fieldsFile({
        sources: { p: { type: 'catalog' } },
        fields: { custom5: 'p', Custom7: 'p', custom9: 'p' },
        products: { custom7: 'request', custom9: 'both' },
      }),
    );
    const sources = await createFieldSources(file, deps);
    const served = (field: string) =>
      [sources.canonical(field, 'expense'), sources.canonical(field, 'request'), sources.canonical(field)] as const;
    assert.deepEqual(served('custom5'), ['custom5', undefined, 'custom5']);
    assert.deepEqual(served('custom7'), [undefined, 'Custom7', 'Custom7'], 'spelled as the file spells it');
    assert.deepEqual(served('CUSTOM9'), ['custom9', 'custom9', 'custom9']);
  });

  test('without a fields file, CATALOG_FIELDS serve Expense only', async () => {
    const sources = await createFieldSources(undefined, { ...deps, catalogFields: ['custom5'] });
    assert.deepEqual(
      [sources.canonical('custom5', 'expense'), sources.canonical('custom5', 'request')],
      ['custom5', undefined],
    );
  });

  for (const [products, message] of [
    [{ custom8: 'both' }, /products\.custom8: custom8 is not listed under fields or flows/],
    [{ custom5: 'travel' }, /products\.custom5: is expense, request or both/],
  ] as const)
    test(`a mistake under products is named by its path (${JSON.stringify(products)})`, async () => {
      const file = fieldsFile({ sources: { p: { type: 'catalog' } }, fields: { custom5: 'p' }, products });
      await assert.rejects(readFieldsFile(file), (e: Error) => message.test(e.message));
    });
});
