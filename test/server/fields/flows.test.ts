// Wizards from the fields file's `flows`: validation messages with exact paths, conditional steps, steps narrowed
// by an earlier pick, and every answer written to Concur in one update (or nothing written at all).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, launchSession, makeApp, useFakeConcur, CONCUR, EXPENSE_ID, postCommit } from '../helpers.ts';
import { readFieldsFile } from '../../../server/fields/fields.ts';
import { localText } from '../../../server/fields/flows.ts';
import { EXAMPLE_FIELDS_FILE } from '../../../server/sandbox/fields.ts';
import { SANDBOX_FLOW_FIELDS, SANDBOX_IDS } from '../../../server/sandbox/concur-state.ts';
import type { CommitResponse, ErrorBody, SearchResponse, SessionContext } from '../../../src/contract/api.ts';

const { msw, concur } = useFakeConcur();
type App = Awaited<ReturnType<typeof makeApp>>['app'];

const dir = mkdtempSync(join(tmpdir(), 'flows-'));
function write(name: string, content: string | object): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const TASKS = write(
  'tasks.csv',
  'code,label,project\n' +
    'T-42-A,Planning,PRJ-1042\nT-42-B,Moving day,PRJ-1042\nT-11-A,Cut-over,PRJ-1011\nT-ALL,Administration,\n',
);

/** Project, task within it, billable?, a reason only when not billable, a number, a date, and a review. */
const FLOW = {
  title: { en: 'Project and task', de: 'Projekt und Aufgabe' },
  steps: [
    { id: 'project', kind: 'search', source: 'projects', writeTo: 'custom12', label: { en: 'Project', de: 'Projekt' } },
    {
      id: 'task',
      kind: 'search',
      source: 'tasks',
      within: { step: 'project', column: 'project' },
      writeTo: 'custom14',
      template: '{code} {label}',
      label: 'Task',
    },
    {
      id: 'billable',
      kind: 'choice',
      writeTo: 'custom15',
      label: 'Billable?',
      options: [
        { value: 'Y', label: 'Yes' },
        { value: 'N', label: { en: 'No', de: 'Nein' } },
      ],
    },
    {
      id: 'reason',
      kind: 'text',
      writeTo: 'custom16',
      when: { step: 'billable', equals: 'N' },
      minLength: 5,
      pattern: '[A-Za-z ]+',
      label: 'Why not?',
    },
    { id: 'guests', kind: 'number', writeTo: 'custom17', min: 1, max: 20, required: false, label: 'Guests' },
    {
      id: 'visited',
      kind: 'date',
      writeTo: 'custom18',
      min: '2026-01-01',
      max: '2026-12-31',
      required: false,
      label: 'Visit date',
    },
    { id: 'review', kind: 'review' },
  ],
};
const FIELDS = {
  sources: {
    projects: { type: 'catalog' },
    tasks: { type: 'catalog', file: TASKS },
    trips: { type: 'concur-request' },
  },
  fields: { custom99: 'projects' },
  flows: { custom12: FLOW },
};
const FIELD_IDS = ['custom12', 'custom14', 'custom15', 'custom16', 'custom17', 'custom18'];

async function wizardApp() {
  const made = await makeApp({ env: { FIELDS_FILE: write('fields.json', FIELDS) } });
  // The fake Concur's taxi entry carries every field the flow writes.
  const taxi = concur().expenses.get(EXPENSE_ID)!;
  for (const id of FIELD_IDS)
    if (!taxi.customData.some((f) => f.id === id)) taxi.customData.push({ id, value: null, isValid: true });
  return made;
}

const json = async <T>(res: Response) => ({ status: res.status, body: (await res.json()) as T });
const commit = (app: App, token: string, answers: Record<string, string>) =>
  Promise.resolve(postCommit(app, token, { answers })).then(json<CommitResponse & ErrorBody>);
const search = (app: App, token: string, query: string) =>
  Promise.resolve(app.request(`/api/search?${query}`, { headers: bearer(token) })).then(
    json<SearchResponse & ErrorBody>,
  );
const fields = () => Object.fromEntries(FIELD_IDS.map((id) => [id, concur().fieldValue(EXPENSE_ID, id) ?? null]));

/** Counts the PATCH calls the fake Concur receives. */
function countWrites() {
  const writes: string[] = [];
  msw.events.on('request:start', ({ request }) => {
    if (request.method === 'PATCH' && request.url.startsWith(CONCUR)) writes.push(new URL(request.url).pathname);
  });
  return writes;
}

describe('flow file validation', () => {
  const base = (steps: unknown[], extra: object = {}) => ({
    sources: { projects: { type: 'catalog' }, trips: { type: 'concur-request' } },
    flows: { custom20: { title: 'T', steps } },
    ...extra,
  });
  const search = (id: string, more: object = {}) => ({
    id,
    kind: 'search',
    source: 'projects',
    label: id,
    writeTo: `f${id}`,
    ...more,
  });
  const cases: [string, object, RegExp][] = [
    [
      'a duplicated step id',
      base([search('a'), search('a', { writeTo: 'other' })]),
      /flows\.custom20\.steps\.1\.id: "a" is used by an earlier step/,
    ],
    [
      'a condition on a later step',
      base([search('a', { when: { step: 'b', equals: 'x' } }), search('b')]),
      /flows\.custom20\.steps\.0\.when\.step: names "b", which is not an earlier step/,
    ],
    [
      'a condition with two tests',
      base([search('a'), search('b', { when: { step: 'a', equals: 'x', answered: true } })]),
      /flows\.custom20\.steps\.1\.when: give exactly one of equals, notEquals, answered/,
    ],
    [
      'a review that is not last',
      base([{ id: 'r', kind: 'review' }, search('a')]),
      /flows\.custom20\.steps\.0\.kind: a review step must be the last step/,
    ],
    [
      'an unknown placeholder',
      base([search('a', { template: '{code} {name}' })]),
      new RegExp(
        String.raw`flows\.custom20\.steps\.0\.template: \{name\} is not known here; ` +
          String.raw`a search step may use \{code\}, \{label\}, \{detail\}, \{display\}`,
      ),
    ],
    [
      'a template without a placeholder',
      base([{ id: 'c', kind: 'text', label: 'c', writeTo: 'x', template: 'fixed' }]),
      /steps\.0\.template: writes the same text whatever the answer/,
    ],
    [
      'no step writing anything',
      base([{ id: 'c', kind: 'text', label: 'c' }]),
      /flows\.custom20\.steps: no step writes to a field/,
    ],
    [
      'two steps writing one field',
      base([search('a', { writeTo: 'custom5' }), search('b', { writeTo: 'CUSTOM5' })]),
      /flows\.custom20\.steps\.1\.writeTo: CUSTOM5 is already written by steps\.0/,
    ],
    [
      'a text longer than Concur keeps',
      base([{ id: 't', kind: 'text', label: 't', writeTo: 'x', maxLength: 60 }]),
      /steps\.0\.maxLength: Concur stores at most 48 characters/,
    ],
    [
      'a broken pattern',
      base([{ id: 't', kind: 'text', label: 't', writeTo: 'x', pattern: '([a-z' }]),
      /steps\.0\.pattern: is not a valid regular expression/,
    ],
    [
      'a choice of one',
      base([{ id: 'c', kind: 'choice', label: 'c', writeTo: 'x', options: [{ value: 'Y', label: 'Yes' }] }]),
      /steps\.0\.options: a choice needs at least two options/,
    ],
    [
      'a date not written YYYY-MM-DD',
      base([{ id: 'd', kind: 'date', label: 'd', writeTo: 'x', min: '01/02/2026' }]),
      /steps\.0\.min: dates are written YYYY-MM-DD/,
    ],
    [
      'a minimum above the maximum',
      base([{ id: 'n', kind: 'number', label: 'n', writeTo: 'x', min: 5, max: 1 }]),
      /steps\.0\.min: is greater than the maximum/,
    ],
    ['an unknown kind', base([{ id: 'n', kind: 'slider', label: 'n' }]), /flows\.custom20\.steps\.0\.kind: /],
    [
      'an unknown source',
      base([search('a', { source: 'nowhere' })]),
      /flows\.custom20\.steps\.0\.source: names the source "nowhere", which is not defined under sources/,
    ],
    [
      'narrowing a source without columns',
      base([search('a'), search('b', { source: 'trips', within: { step: 'a', column: 'x' } })]),
      new RegExp(
        String.raw`flows\.custom20\.steps\.1\.within: narrows by a column, which only catalog sources have; ` +
          '"trips" is a concur-request source',
      ),
    ],
    [
      'narrowing by a step that is not a search',
      base([{ id: 'c', kind: 'text', label: 'c' }, search('b', { within: { step: 'c', column: 'x' } })]),
      /steps\.1\.within\.step: names "c", which is not an earlier search step/,
    ],
    [
      'a field with both a search and a flow',
      base([search('a')], { fields: { CUSTOM20: 'projects' } }),
      /flows\.custom20: custom20 is also listed under fields/,
    ],
    ['a step id an object already has', base([search('constructor')]), /steps\.0\.id: "constructor" is reserved/],
    [
      'a pattern that backtracks catastrophically',
      base([{ id: 't', kind: 'text', label: 't', writeTo: 'x', pattern: '(a|a)+' }]),
      /steps\.0\.pattern: could take too long to check/,
    ],
    ['a label in a made-up language key', base([search('a', { label: { english: 'x' } })]), /steps\.0\.label/],
  ];
  for (const [name, content, expected] of cases) {
    test(`refuses ${name}, naming where`, async () => {
      await assert.rejects(readFieldsFile(write('bad.json', content)), (e: Error) => {
        assert.match(e.message, expected);
        return true;
      });
    });
  }

  test('the example shipped in the repository is valid, and the sandbox form has every field its flows write', async () => {
    const file = await readFieldsFile(EXAMPLE_FIELDS_FILE);
    const written = Object.values(file.flows).flatMap((f) =>
      f.steps.flatMap((s) => (s.kind !== 'review' && s.writeTo ? [s.writeTo] : [])),
    );
    assert.ok(Object.keys(file.flows).length >= 2);
    assert.deepEqual([...written].sort(), [...SANDBOX_FLOW_FIELDS].sort());
    const taxi = concur().expenses.get(SANDBOX_IDS.taxi)!;
    for (const id of [...Object.keys(file.flows), ...written])
      assert.ok(
        taxi.customData.some((f) => f.id === id),
        `${id} is on the simulated taxi entry`,
      );
  });

  test('texts in the user language: exact, then base language, then English, then any', () => {
    const t = { en: 'Project', de: 'Projekt', 'pt-BR': 'Projeto' };
    assert.equal(localText(t, 'de-AT'), 'Projekt');
    assert.equal(localText(t, 'pt_PT'), 'Projeto');
    assert.equal(localText(t, 'ja'), 'Project');
    assert.equal(localText({ fr: 'Projet' }, 'ja'), 'Projet');
    assert.equal(localText('Plain', 'de'), 'Plain');
  });
});

describe('a wizard in the popup API', () => {
  test('the context carries the flow in the user language, and the fields it writes as they stand', async () => {
    const { app } = await wizardApp();
    concur()
      .expenses.get(EXPENSE_ID)!
      .customData.find((f) => f.id === 'custom15')!.value = 'N';
    const token = await launchSession(app, concur(), { unsigned: { language_code: 'de_DE' } });
    const { body } = await json<SessionContext>(await app.request('/api/context', { headers: bearer(token) }));
    assert.equal(body.flow!.title, 'Projekt und Aufgabe');
    assert.deepEqual(
      body.flow!.steps.map((s) => `${s.id}:${s.kind}`),
      [
        'project:search',
        'task:search',
        'billable:choice',
        'reason:text',
        'guests:number',
        'visited:date',
        'review:review',
      ],
    );
    assert.equal(body.flow!.steps[0]!.label, 'Projekt');
    assert.deepEqual(body.flow!.steps[2], {
      id: 'billable',
      label: 'Billable?',
      kind: 'choice',
      required: true,
      writeTo: 'custom15',
      template: '{value}',
      options: [
        { value: 'Y', label: 'Yes' },
        { value: 'N', label: 'Nein' },
      ],
    });
    assert.equal(body.fieldValues!.custom15, 'N');
    // The stored value is read back as the step's answer, so a second visit starts where the first ended.
    assert.deepEqual(body.prefill, { billable: 'N' });
    assert.ok(!('source' in body.flow!.steps[0]!), 'source names stay on the server');
  });

  test("a step narrowed by an earlier pick lists only that pick's rows (and rows for every parent)", async () => {
    const { app } = await wizardApp();
    const token = await launchSession(app, concur());
    const codes = async (q: string) => (await search(app, token, q)).body.items.map((i) => i.code).sort();
    assert.deepEqual(await codes('q=&step=task&within=PRJ-1042'), ['T-42-A', 'T-42-B', 'T-ALL']);
    assert.deepEqual(await codes('q=&step=task&within=PRJ-1011'), ['T-11-A', 'T-ALL']);
    assert.deepEqual(await codes('q=PRJ&step=project'), ['PRJ-1011', 'PRJ-1024', 'PRJ-1042']);
    const unknown = await search(app, token, 'q=&step=nope');
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /no search step named nope/);
  });

  test('Done writes every answer in one Concur update, each through its template', async () => {
    const { app } = await wizardApp();
    const writes = countWrites();
    const token = await launchSession(app, concur());
    const { status, body } = await commit(app, token, {
      project: 'PRJ-1042',
      task: 'T-42-B',
      billable: 'N',
      reason: '  Internal training ',
      guests: '4.0',
      visited: '2026-11-12',
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(writes.length, 1, 'one update for the whole wizard');
    assert.deepEqual(fields(), {
      custom12: 'PRJ-1042',
      custom14: 'T-42-B Moving day',
      custom15: 'N',
      custom16: 'Internal training',
      custom17: '4',
      custom18: '2026-11-12',
    });
    assert.deepEqual(
      body.written.map((w) => w.field),
      ['custom12', 'custom14', 'custom15', 'custom16', 'custom17', 'custom18'],
    );
    assert.equal(body.field, 'custom12');
    assert.equal(body.value, 'PRJ-1042');
    assert.match(body.correlationId, /.+/);
  });

  test('a step hidden by an earlier answer is not written, even when the popup sends its old answer', async () => {
    const { app } = await wizardApp();
    const token = await launchSession(app, concur());
    const { status } = await commit(app, token, {
      project: 'PRJ-1011',
      task: 'T-11-A',
      billable: 'Y',
      reason: 'Left over from before',
    });
    assert.equal(status, 200);
    assert.deepEqual(fields(), {
      custom12: 'PRJ-1011',
      custom14: 'T-11-A Cut-over',
      custom15: 'Y',
      custom16: null,
      custom17: null,
      custom18: null,
    });
  });

  const refusals: [string, Record<string, string>, string, RegExp][] = [
    [
      'a missing required answer',
      { project: 'PRJ-1042', task: 'T-42-A' },
      'billable',
      /Billable\?: an answer is required/,
    ],
    [
      'a reason too short',
      { project: 'PRJ-1042', task: 'T-42-A', billable: 'N', reason: 'no' },
      'reason',
      /needs at least 5 characters/,
    ],
    [
      'a reason not matching the pattern',
      { project: 'PRJ-1042', task: 'T-42-A', billable: 'N', reason: 'Nope 1234' },
      'reason',
      /is not in the expected form/,
    ],
    [
      'a choice that is not an option',
      { project: 'PRJ-1042', task: 'T-42-A', billable: 'MAYBE' },
      'billable',
      /is not one of the options/,
    ],
    [
      'a task of another project',
      { project: 'PRJ-1042', task: 'T-11-A', billable: 'Y' },
      'task',
      /T-11-A is not one of the values offered here/,
    ],
    [
      'a number out of range',
      { project: 'PRJ-1042', task: 'T-42-A', billable: 'Y', guests: '21' },
      'guests',
      /must be at most 20/,
    ],
    [
      'a fraction where whole numbers are asked',
      { project: 'PRJ-1042', task: 'T-42-A', billable: 'Y', guests: '2.5' },
      'guests',
      /must be a whole number/,
    ],
    [
      'a date that does not exist',
      { project: 'PRJ-1042', task: 'T-42-A', billable: 'Y', visited: '2026-02-30' },
      'visited',
      /is not a date/,
    ],
    [
      'a date outside the range',
      { project: 'PRJ-1042', task: 'T-42-A', billable: 'Y', visited: '2025-12-31' },
      'visited',
      /must be on or after 2026-01-01/,
    ],
    [
      'an answer for a step the flow lacks',
      { project: 'PRJ-1042', secret: 'x' },
      'secret',
      /a step this form does not have: secret/,
    ],
  ];
  for (const [name, answers, step, message] of refusals) {
    test(`refuses ${name} with 422, names the step, and writes nothing`, async () => {
      const { app } = await wizardApp();
      const writes = countWrites();
      const token = await launchSession(app, concur());
      const { status, body } = await commit(app, token, answers);
      assert.equal(status, 422);
      assert.equal(body.error.code, 'flow_answer_invalid');
      assert.equal(body.error.step, step);
      assert.match(body.error.message, message);
      assert.equal(writes.length, 0);
      assert.ok(Object.values(fields()).every((v) => v === null));
    });
  }

  test('a task cannot slip past its project: with the project step hidden, only tasks for every project count', async () => {
    const flow = {
      title: 'T',
      steps: [
        {
          id: 'kind',
          kind: 'choice',
          label: 'Kind',
          options: [
            { value: 'P', label: 'Project' },
            { value: 'X', label: 'Other' },
          ],
        },
        {
          id: 'project',
          kind: 'search',
          source: 'projects',
          writeTo: 'custom12',
          label: 'Project',
          when: { step: 'kind', equals: 'P' },
        },
        {
          id: 'task',
          kind: 'search',
          source: 'tasks',
          within: { step: 'project', column: 'project' },
          writeTo: 'custom14',
          label: 'Task',
        },
      ],
    };
    const { app } = await makeApp({
      env: { FIELDS_FILE: write('hidden-parent.json', { ...FIELDS, flows: { custom12: flow } }) },
    });
    concur().expenses.get(EXPENSE_ID)!.customData.push({ id: 'custom14', value: null, isValid: true });
    const token = await launchSession(app, concur());
    assert.deepEqual(
      (await search(app, token, 'q=&step=task')).body.items.map((i) => i.code),
      ['T-ALL'],
    );
    const refused = await commit(app, token, { kind: 'X', task: 'T-11-A' });
    assert.equal(refused.status, 422);
    assert.deepEqual(refused.body.error.problem, { kind: 'notOffered', value: 'T-11-A' });
    assert.equal((await commit(app, token, { kind: 'X', task: 'T-ALL' })).status, 200);
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom14'), 'T-ALL');
  });

  test('the refusal says why as a problem the popup can word in its language', async () => {
    const { app } = await wizardApp();
    const token = await launchSession(app, concur());
    const { body } = await commit(app, token, { project: 'PRJ-1042', task: 'T-42-A', billable: 'Y', guests: '80' });
    assert.deepEqual(body.error.problem, { kind: 'aboveMax', max: 20 });
  });

  test('a value longer than Concur keeps, once templated, is refused before anything is written', async () => {
    const long = {
      ...FIELDS,
      flows: {
        custom12: {
          title: 'T',
          steps: [
            {
              id: 'p',
              kind: 'search',
              source: 'projects',
              writeTo: 'custom12',
              template: '{code} {label} {detail} {label}',
              label: 'P',
            },
          ],
        },
      },
    };
    const { app } = await makeApp({ env: { FIELDS_FILE: write('long.json', long) } });
    const token = await launchSession(app, concur());
    const { status, body } = await commit(app, token, { p: 'PRJ-1042' });
    assert.equal(status, 422);
    assert.match(body.error.message, /longer than the 48 characters Concur stores/);
    assert.equal(concur().fieldValue(EXPENSE_ID, 'custom12'), null);
  });

  test('a single pick is refused for a wizard field, and answers for a single-search field', async () => {
    const { app } = await wizardApp();
    const token = await launchSession(app, concur());
    const single = await postCommit(app, token, { code: 'PRJ-1042' });
    assert.equal(single.status, 400);
    const other = await launchSession(app, concur(), { unsigned: { custom_field_launched_from: 'custom99' } });
    assert.equal((await commit(app, other, { project: 'PRJ-1042' })).status, 400);
  });

  test('recent picks are kept per wizard step', async () => {
    const { app } = await wizardApp();
    assert.equal(
      (await commit(app, await launchSession(app, concur()), { project: 'PRJ-1011', task: 'T-ALL', billable: 'Y' }))
        .status,
      200,
    );
    const token = await launchSession(app, concur());
    assert.deepEqual(
      (await search(app, token, 'q=&step=project')).body.recent!.map((i) => i.code),
      ['PRJ-1011'],
    );
    assert.deepEqual(
      (await search(app, token, 'q=&step=task&within=PRJ-1042')).body.recent!.map((i) => i.code),
      ['T-ALL'],
    );
    assert.equal((await search(app, token, 'q=')).status, 400, 'the field itself has no single search');
  });
});
