// Which URLs may receive a Concur token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostAllowlist } from '../../../server/concur/hosts.ts';

const allow = createHostAllowlist(['proxy.example.com:8443', 'localhost:8080', 'api.example.org', '10.0.0.5:80']);
const cases: [string, boolean][] = [
  ['https://us.api.concursolutions.com/expensereports/v4/x', true],
  ['https://US.API.Concursolutions.com/x', true],
  ['https://emea.api.concursolutions.com/x', true],
  ['https://us.api.concursolutions.com:8443/x', false],
  ['http://us.api.concursolutions.com/x', false],
  ['https://us.api.concursolutions.com.evil.example/x', false],
  ['https://user:pw@us.api.concursolutions.com/x', false],
  ['https://evil.example.com/x', false],
  ['https://proxy.example.com:8443/x', true],
  ['https://proxy.example.com/x', false],
  ['https://api.example.org/x', true],
  ['http://api.example.org/x', false],
  ['http://localhost:8080/sandbox/concur/x', true],
  ['http://localhost:8081/x', false],
  ['http://10.0.0.5/x', false],
  ['ftp://us.api.concursolutions.com/x', false],
  // Today's base URIs (protocol sheet §4): GLZ for tokens, APJ1, the public sector, the www- forms; nothing else.
  ['https://glz.api.concursolutions.com/oauth2/v0/token', true],
  ['https://apj1.api.concursolutions.com/x', true],
  ['https://www-apj1.api.concursolutions.com/x', true],
  ['https://usg.api.concursolutions.com/x', true],
  ['https://eu2.api.concursolutions.com/x', true],
  ['https://www-glz.api.concursolutions.com/x', false],
  ['https://emea2.api.concursolutions.com/x', false],
  ['https://cn.api.concurcdc.cn/x', false],
  ['https://www.concursolutions.com/x', false],
];
for (const [url, expected] of cases) {
  test(`${url} → ${expected ? 'allowed' : 'refused'}`, () => assert.equal(allow.allows(new URL(url)), expected));
}
