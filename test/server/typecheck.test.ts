// The TypeScript projects keep the two worlds apart: browser code (tsconfig.browser.json) sees the DOM and no Node
// types, so a browser module that imports a Node module fails the check; server code (tsconfig.json) sees Node and
// no DOM. Each case is checked with tsc on a scratch file beside a project that extends the real one, next to a
// control file that must pass, so a broken setup cannot pass for the wrong reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const TSC = resolve('node_modules/typescript/bin/tsc');

/** Runs tsc on one file under a project that extends `base`; its diagnostics, and whether it passed. */
function check(base: string, source: string): { ok: boolean; output: string } {
  mkdirSync('test-output', { recursive: true });
  const dir = mkdtempSync(join(resolve('test-output'), 'typecheck-'));
  try {
    writeFileSync(join(dir, 'probe.ts'), source);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: resolve(base), include: ['probe.ts'] }));
    const run = spawnSync(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { ok: run.status === 0, output: run.stdout + run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('browser code that imports a Node module fails the type check; the DOM is there', () => {
  const control = check('tsconfig.browser.json', 'export const title = document.title;\n');
  assert.equal(control.ok, true, control.output);
  const probe = check(
    'tsconfig.browser.json',
    "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n",
  );
  assert.equal(probe.ok, false);
  assert.match(probe.output, /TS2591: Cannot find name 'node:fs'/);
  const globals = check('tsconfig.browser.json', 'export const cwd = process.cwd();\n');
  assert.match(globals.output, /TS2591: Cannot find name 'process'/, 'no Node globals either');
});

test('server code that uses the DOM fails the type check; Node is there', () => {
  const control = check('tsconfig.json', "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n");
  assert.equal(control.ok, true, control.output);
  const probe = check('tsconfig.json', 'export const title = document.title;\n');
  assert.equal(probe.ok, false);
  assert.match(probe.output, /Cannot find name 'document'/);
});

test('server code may use only syntax Node can strip (no enums, no parameter properties)', () => {
  const probe = check('tsconfig.json', 'export class A {\n  constructor(private readonly b: string) {}\n}\n');
  assert.equal(probe.ok, false);
  assert.match(probe.output, /TS1294: This syntax is not allowed when 'erasableSyntaxOnly' is enabled/);
});
