// GET /system/v1.0/testconnection: Concur's Test Connection button, with the connector's HTTP Basic credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeApp } from '../helpers.ts';

const PATH = '/system/v1.0/testconnection';

test("the protocol sheet's Basic header for the connector credentials gets 200", async () => {
  const { app } = await makeApp();
  const res = await app.request(PATH, {
    headers: { authorization: 'Basic TGV1Q29ubmVjdG9yVXNlcjpTM2NyZXQtUGFzc3cwcmQh' },
  });
  assert.equal(res.status, 200);
});

for (const [name, header] of [
  ['no credentials', undefined],
  ['a wrong password', `Basic ${btoa('LeuConnectorUser:S3cret-Passw0rd?')}`],
  ['a wrong user name', `Basic ${btoa('leuconnectoruser:S3cret-Passw0rd!')}`],
  ['a malformed header', 'Basic !!!'],
] as const) {
  test(`${name} gets 401 with a Basic challenge`, async () => {
    const { app } = await makeApp();
    const res = await app.request(PATH, { headers: header ? { authorization: header } : {} });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^Basic realm="Concur connector"/);
  });
}
