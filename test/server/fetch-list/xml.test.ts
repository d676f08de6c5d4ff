// The XML the callout answers: items in the documented element order, text escaped, characters XML cannot carry
// left out, and the short error body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchListResponse, xmlError } from '../../../server/fetch-list/xml.ts';
import { items } from './fixtures.ts';

test('no items: an empty <fetch-list-response/>', () => {
  assert.equal(fetchListResponse([]), '<fetch-list-response/>');
});

test("a label's markup characters are escaped, and control characters left out, so Concur can parse the answer", () => {
  const xml = fetchListResponse([
    { code: 'RD-1', shortCode: '1', text: 'R&D <Lab> "A" \u0001\u000bdone', matchValue: "it's" },
  ]);
  assert.equal(
    xml,
    '<fetch-list-response><item><code>RD-1</code><short-code>1</short-code>' +
      '<text>R&amp;D &lt;Lab&gt; &quot;A&quot; done</text><match-value>it&apos;s</match-value></item></fetch-list-response>',
  );
  assert.deepEqual(items(xml)[0]?.text, 'R&D <Lab> "A" done');
});

test('an error: its code and its message, escaped', () => {
  assert.equal(
    xmlError('list_unknown', 'No list "A&B".'),
    '<error><code>list_unknown</code><message>No list &quot;A&amp;B&quot;.</message></error>',
  );
});
