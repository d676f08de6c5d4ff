// Hostile launches, generated (fast-check): genuine v4 launches mutated in every parameter (replaced, removed,
// repeated, oversized, unicode, raw or double percent-encoding, '+' for %2B, flipped signature characters,
// parameter names in another case, extra parameters). Not one forged launch is accepted, none answers 5xx, and
// each refusal has the status and code its fault calls for. LAUNCH_PROPERTY_RUNS sets the count (10,000).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ENV, launchQuery, makeApp, useFakeConcur } from '../helpers.ts';

const RUNS = Number(process.env.LAUNCH_PROPERTY_RUNS ?? 10_000);
/** The fields the test configuration names (CATALOG_FIELDS in the helpers' environment). */
const CONFIGURED_FIELDS = ENV.CATALOG_FIELDS.split(',');
const { concur } = useFakeConcur();

const SIGNED = [
  'company_domain',
  'logged_in_user_id',
  'report_owner_user_id',
  'report_owner_employee_id',
  'item_url',
  'nonce',
] as const;
const UNSIGNED = [
  'custom_field_launched_from',
  'source',
  'is_mobile',
  'client_auth_code',
  'language_code',
  'expense_ids',
] as const;
const PARAMS = [...SIGNED, 'signature', ...UNSIGNED] as const;

type Pair = [name: string, raw: string];
type Mutation =
  | { kind: 'replace'; param: string; value: string }
  | { kind: 'remove'; param: string }
  | { kind: 'repeat'; param: string; value: string | null }
  | { kind: 'append-raw'; param: string; text: string }
  | { kind: 'extra'; name: string; value: string }
  | { kind: 'percent-encode-all'; param: string }
  | { kind: 'double-encode'; param: string }
  | { kind: 'plus-for-%2B' }
  | { kind: 'flip-signature'; at: number; char: string }
  | { kind: 'rename-case'; param: string };

const tricky = fc.constantFrom(
  '',
  ' ',
  '%',
  '%00',
  '\u0000',
  '\u202e',
  'ﬀ',
  '😀',
  '../../etc/passwd',
  'null',
  'undefined',
  '[object Object]',
  'https://evil.example.com/expensereports/v4/users/u/context/TRAVELER/reports/R/expenses/E',
  'http://us.api.concursolutions.com/expensereports/v4/users/u/context/TRAVELER/reports/R/expenses/E',
  'HEADER',
  'ALLOCATION',
  'entry',
  'custom12',
  'TRUE',
  'en_GB',
  'x'.repeat(201),
  'A'.repeat(5000),
);
const value = fc.oneof(
  tricky,
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ minLength: 2000, maxLength: 9000 }),
);
const param = fc.constantFrom(...PARAMS);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), param, value }),
  fc.record({ kind: fc.constant('remove' as const), param }),
  fc.record({ kind: fc.constant('repeat' as const), param, value: fc.option(value, { nil: null }) }),
  fc.record({
    kind: fc.constant('append-raw' as const),
    param,
    text: fc.oneof(tricky, fc.constantFrom('&', '=', '%', '%2', '%ZZ', '+', '#', '&nonce=x', '%E0%A4%A')),
  }),
  fc.record({
    kind: fc.constant('extra' as const),
    name: fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', 'signature ', 'Nonce'),
      fc.string({ minLength: 1, maxLength: 12 }),
    ),
    value,
  }),
  fc.record({ kind: fc.constant('percent-encode-all' as const), param }),
  fc.record({ kind: fc.constant('double-encode' as const), param }),
  fc.constant({ kind: 'plus-for-%2B' as const }),
  fc.record({
    kind: fc.constant('flip-signature' as const),
    at: fc.nat({ max: 43 }),
    char: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= '),
  }),
  fc.record({ kind: fc.constant('rename-case' as const), param }),
);

const enc = (v: string) => {
  try {
    return encodeURIComponent(v);
  } catch {
    // A lone surrogate cannot be encoded; send its replacement, as a browser would.
    return encodeURIComponent(
      v.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
    );
  }
};
const percentAll = (v: string) =>
  [...new TextEncoder().encode(v)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

function apply(pairs: Pair[], m: Mutation): Pair[] {
  const at = (name: string) => pairs.findIndex(([n]) => n === name);
  const set = (name: string, f: (raw: string) => string) =>
    pairs.map(([n, v]): Pair => (n === name ? [n, f(v)] : [n, v]));
  switch (m.kind) {
    case 'replace':
      return at(m.param) >= 0 ? set(m.param, () => enc(m.value)) : [...pairs, [m.param, enc(m.value)]];
    case 'remove':
      return pairs.filter(([n]) => n !== m.param);
    case 'repeat':
      return [...pairs, [m.param, m.value === null ? (pairs[at(m.param)]?.[1] ?? '') : enc(m.value)]];
    case 'append-raw':
      return set(m.param, (v) => v + m.text);
    case 'extra':
      return [...pairs, [enc(m.name), enc(m.value)]];
    case 'percent-encode-all':
      return set(m.param, (v) => percentAll(decode(v)));
    case 'double-encode':
      return set(m.param, (v) => enc(v));
    case 'plus-for-%2B':
      return set('signature', (v) => v.replaceAll('%2B', '+'));
    case 'flip-signature':
      return set('signature', (v) => {
        const s = decode(v);
        return enc(s.slice(0, m.at) + m.char + s.slice(m.at + 1));
      });
    case 'rename-case':
      return pairs.map(([n, v]): Pair => [n === m.param ? n.toUpperCase() : n, v]);
  }
}

/** Form decoding as WHATWG URLs do it: '+' is a space; a malformed escape stays as it came, the others decode. */
function decode(raw: string): string {
  const text = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * Well-formed by the protocol sheet's own facts: every parameter Concur always sends is there and not empty,
 * source is one of its three values, the two user ids are Concur UUIDs and item_url is an http(s) address (§1,
 * §5). Written here, not taken from the server's schema.
 */
function wellFormed(q: Record<string, string>): boolean {
  const given = (name: string) => (q[name] ?? '').trim() !== '';
  const required = [
    'company_domain',
    'logged_in_user_id',
    'report_owner_user_id',
    'item_url',
    'custom_field_launched_from',
    'nonce',
    'signature',
    'client_auth_code',
  ];
  const uuid = (v: string | undefined) => /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(v ?? '');
  return (
    required.every(given) &&
    ['HEADER', 'ENTRY', 'ALLOCATION'].includes((q.source ?? '').trim().toUpperCase()) &&
    uuid(q.logged_in_user_id) &&
    uuid(q.report_owner_user_id) &&
    /^https?:\/\//i.test(q.item_url ?? '')
  );
}

/**
 * Within the limits this connector sets for itself where the sheet is silent (README): a field id of letters, digits,
 * _ and -; a nonce and a signature of at most 200 characters, an authorization code of at most 4,096; a domain and
 * a nonce without spaces or control characters, an employee id without control characters, an item_url of at most
 * 2,048; expense_ids of at most 4,096. Past them a launch may be refused as malformed, or handled as any other.
 */
function withinOwnLimits(q: Record<string, string>): boolean {
  const plain = (v: string | undefined) => /^[^\s\p{C}]*$/u.test(v ?? '');
  return (
    /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(q.custom_field_launched_from ?? '') &&
    (q.nonce ?? '').length <= 200 &&
    (q.signature ?? '').length <= 200 &&
    (q.client_auth_code ?? '').length <= 4096 &&
    plain(q.company_domain) &&
    (q.company_domain ?? '').length <= 255 &&
    plain(q.nonce) &&
    plain(q.item_url) &&
    (q.item_url ?? '').length <= 2048 &&
    /^\P{C}*$/u.test(q.report_owner_employee_id ?? '') &&
    (q.report_owner_employee_id ?? '').length <= 255 &&
    (q.expense_ids ?? '').length <= 4096
  );
}

/** The signature's bytes, for strict Base64 only (a '+' turned into a space by form decoding is a '+'). */
const sigBytes = (s: string | undefined) => {
  const b64 = s?.replace(/ /g, '+');
  return b64 && /^[A-Za-z0-9+/]+={0,2}$/.test(b64) ? Buffer.from(b64, 'base64').toString('hex') : `not Base64: ${s}`;
};

test(
  `${RUNS} generated hostile launches: none forged is accepted, ` + 'none is a 5xx, each refusal is the right one',
  async () => {
    const { app } = await makeApp({ env: { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '0' } });
    const seen = { genuine: 0, forged: 0, malformed: 0, repeated: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const original = launchQuery(concur());
        const pairs = mutations.reduce(
          apply,
          [...original].map(([n, v]): Pair => [n, enc(v)]),
        );
        const raw = pairs.map(([n, v]) => `${n}=${v}`).join('&');
        const launched = await app.request(`/launchexternalurl/v4/form?${raw}`, {
          headers: { accept: 'application/json' },
        });
        // A launch whose page was sent is refused (if at all) by the exchange, which its claim then says.
        const cookie = launched.headers.get('set-cookie')?.split(';')[0];
        const res =
          launched.status === 200 && cookie
            ? await app.request('/api/session', { method: 'POST', headers: { cookie } })
            : launched;
        const body = res.status === 200 ? undefined : ((await res.json()) as { error: { code: string } });

        // What the request says, decoded independently of the server.
        const got = new Map<string, string[]>();
        // A '#' starts the fragment: nothing after it is sent.
        // A URL string loses its trailing spaces and C0 controls before it is parsed (WHATWG URL), so a space
        // appended to the last parameter never reaches the server.
        let end = raw.length;
        while (end > 0 && raw.charCodeAt(end - 1) <= 0x20) end--;
        const sent = raw.slice(0, end);
        for (const part of sent.split('#')[0]!.split('&')) {
          if (!part) continue;
          const eq = part.indexOf('=');
          const name = decode(eq < 0 ? part : part.slice(0, eq));
          got.set(name, [...(got.get(name) ?? []), decode(eq < 0 ? '' : part.slice(eq + 1))]);
        }
        const first = Object.fromEntries([...got].map(([n, v]) => [n, v[0]!]));
        const repeated = [...got.values()].some((v) => v.length > 1);
        const isWellFormed = wellFormed(first);
        const forged =
          SIGNED.some((n) => (first[n] ?? (n === 'report_owner_employee_id' ? '' : undefined)) !== original.get(n)) ||
          sigBytes(first.signature) !== sigBytes(original.get('signature')!);

        assert.ok(res.status < 500, `a ${res.status} for ${raw.slice(0, 300)}`);
        if (forged) assert.notEqual(res.status, 200, `a forged launch was accepted: ${raw.slice(0, 300)}`);
        if (repeated || !isWellFormed) {
          assert.equal(res.status, 400, `malformed or repeated: ${raw.slice(0, 300)} -> ${JSON.stringify(body)}`);
          assert.equal(body?.error.code, 'launch_params_invalid');
        } else if (!withinOwnLimits(first) && res.status === 400) {
          assert.equal(body?.error.code, 'launch_params_invalid', raw.slice(0, 300));
        } else if (forged) {
          assert.deepEqual([res.status, body?.error.code], [401, 'launch_signature_invalid'], raw.slice(0, 300));
        } else if (first.source?.trim().toUpperCase() !== 'ENTRY') {
          // Genuine, but the unsigned source does not match the item the signed item_url names.
          assert.deepEqual([res.status, body?.error.code], [400, 'launch_params_invalid'], raw.slice(0, 300));
        } else if (!CONFIGURED_FIELDS.includes((first.custom_field_launched_from ?? '').toLowerCase())) {
          // Genuine, but for a field the configuration does not name (the field id is not signed).
          assert.deepEqual([res.status, body?.error.code], [400, 'field_not_configured'], raw.slice(0, 300));
        } else if (first.client_auth_code !== original.get('client_auth_code')) {
          // Genuine, but Concur refuses the changed authorization code.
          assert.equal(res.status, 401, `${raw.slice(0, 300)} -> ${JSON.stringify(body)}`);
          assert.match(body?.error.code ?? '', /^(oauth_|concur_sign_in)/);
        } else {
          // Genuine: only unsigned, harmless parameters differ (or none: an equivalent encoding).
          assert.equal(
            res.status,
            200,
            `a genuine launch was refused: ${raw.slice(0, 300)} -> ${JSON.stringify(body)}`,
          );
        }
        // Counted by what the test made of the launch, not by the answer.
        seen[repeated ? 'repeated' : !isWellFormed ? 'malformed' : forged ? 'forged' : 'genuine']++;
      }),
      { numRuns: RUNS },
    );
    // The generator reaches every kind of outcome.
    for (const [kind, n] of Object.entries(seen)) assert.ok(n > RUNS / 100, `only ${n} ${kind} launches of ${RUNS}`);
  },
);

/**
 * The signed values are concatenated without separators, so moving characters across the boundary of two
 * neighbouring values keeps the signature. Every such move, of 1..n characters either way, must be refused.
 */
test('for every pair of neighbouring signed values, moving 1..n characters across their boundary is refused', async () => {
  const { app } = await makeApp({ env: { RATE_LIMIT_LAUNCH_FAILURES_PER_MINUTE: '0' } });
  // In Concur's order; the connector's user name and password stand between item_url and the nonce.
  const ORDER = [
    'company_domain',
    'logged_in_user_id',
    'report_owner_user_id',
    'report_owner_employee_id',
    'item_url',
  ] as const;
  let shifts = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.nat({ max: ORDER.length - 2 }),
      fc.boolean(),
      fc.integer({ min: 1, max: 60 }),
      async (at, rightward, n) => {
        const q = launchQuery(concur());
        const [left, right] = [ORDER[at]!, ORDER[at + 1]!];
        const [l, r] = [q.get(left) ?? '', q.get(right) ?? ''];
        const k = Math.min(n, rightward ? l.length : r.length);
        fc.pre(k > 0);
        const moved = rightward
          ? [l.slice(0, l.length - k), l.slice(l.length - k) + r]
          : [l + r.slice(0, k), r.slice(k)];
        q.set(left, moved[0]!);
        q.set(right, moved[1]!);
        const res = await app.request(`/launchexternalurl/v4/form?${q.toString()}`, {
          headers: { accept: 'application/json' },
        });
        const body = res.status === 200 ? undefined : ((await res.json()) as { error: { code: string } });
        assert.notEqual(res.status, 200, `${left}|${right}: ${k} moved ${rightward ? 'right' : 'left'} was accepted`);
        assert.deepEqual(
          [res.status, body?.error.code],
          [400, 'launch_params_invalid'],
          `${left}|${right}, ${k} characters`,
        );
        shifts++;
      },
    ),
    { numRuns: Math.max(200, Math.round(RUNS / 20)) },
  );
  assert.ok(shifts >= 100, `only ${shifts} shifts tried`);
});
