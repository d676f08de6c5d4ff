// The connector as a process of its own (server/index.ts), for tests and benches: started with an environment and
// ready once it answers; a launch signed by its sandbox; a popup session opened over HTTP as the popup opens one.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { SANDBOX_IDS } from '../server/sandbox/concur-state.ts';
import { scanEnv, scannedNodeArgs } from './scanned-node.ts';

export interface NodeProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output: () => string;
}

/** Starts a node script and waits until `ready` answers 2xx; a process that exits first fails with its output. */
export async function startNodeProcess(
  args: string[],
  env: Record<string, string>,
  ready: string,
): Promise<NodeProcess> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => void (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => void (output += c.toString()));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${args.at(-1)} stopped (exit ${child.exitCode}): ${output}`);
    if (
      await fetch(ready).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, output: () => output };
    await sleep(100);
  }
  child.kill();
  throw new Error(`${args.at(-1)} did not start: ${output}`);
}

/** The connector with this environment (PUBLIC_URL among it), scanned under the test suite's secret scan. */
export const startConnector = (env: Record<string, string>): Promise<NodeProcess> =>
  startNodeProcess([...scannedNodeArgs(), 'server/index.ts'], { ...scanEnv(), ...env }, `${env.PUBLIC_URL}/readyz`);

/** A launch address signed by the sandbox as Concur would sign it (path and query), usable once. */
export async function sandboxLaunch(base: string, expense = SANDBOX_IDS.taxi, field = 'custom12'): Promise<string> {
  const res = await fetch(`${base}/sandbox/launch?source=ENTRY&expense=${expense}&field=${field}`, {
    redirect: 'manual',
  });
  return res.headers.get('location')!;
}

/** Follows a launch (path and query) and trades its hand-off for the popup's bearer token, as the popup does. */
export async function openSession(base: string, launch: string): Promise<string> {
  const res = await fetch(`${base}${launch}`, { redirect: 'manual' });
  if (res.status !== 200) throw new Error(`the launch was answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  return (
    (await (await fetch(`${base}/api/session`, { method: 'POST', headers: { cookie } })).json()) as { token: string }
  ).token;
}
