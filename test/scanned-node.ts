// A node process a test starts (a connector, a command) is scanned like the test process itself when the suite's
// secret scan is on (npm run test:node sets LEU_SECRET_SCAN_DIR): its answers, its log lines, and whatever it
// prints to standard output and error.
import { spawnSync } from 'node:child_process';
export const scannedNodeArgs = (): string[] =>
  process.env.LEU_SECRET_SCAN_DIR
    ? ['--experimental-strip-types', '--import', './test/secret-scan.ts']
    : ['--experimental-strip-types'];

/** Variables to add to such a process's environment. */
export const scanEnv = (): Record<string, string> =>
  process.env.LEU_SECRET_SCAN_DIR
    ? { LEU_SECRET_SCAN_DIR: process.env.LEU_SECRET_SCAN_DIR, LEU_SECRET_SCAN_OUTPUT: '1' }
    : {};

/**
 * Runs a TypeScript script to its end with only PATH and `env` in its environment (so nothing of the test's own
 * configuration leaks in), scanned like the rest; `input` goes to its standard input.
 */
export const runScriptSync = (args: string[], env: Record<string, string | undefined>, input?: string) =>
  spawnSync(process.execPath, [...scannedNodeArgs(), ...args], {
    env: { ...scanEnv(), PATH: process.env.PATH, ...env },
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
