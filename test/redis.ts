// A real Redis for the tests: REDIS_TEST_URL when CI started one (.ci/run), or else a redis-server of our own on
// a free loopback port, stopped when the test file ends. Each caller gets its own key prefix, so tests never meet.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './net.ts';
import { randomUUID } from 'node:crypto';

let started: Promise<string> | undefined;

/** A redis-server of its own on loopback; stopped by stop(), or when the test file's process ends. */
export async function startRedisServer(port?: number): Promise<{ url: string; stop(): Promise<void> }> {
  port ??= await freePort();
  // A missing redis-server is reported through the 'error' event below, not thrown here.
  const child: ChildProcess = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // Stopped when this test file's process ends; it must not keep that process alive meanwhile.
  process.once('exit', () => child.kill());
  child.unref();
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.once('error', (error) =>
      reject(
        new Error(
          'The Redis tests need redis-server (Debian: apt-get install redis-server) or REDIS_TEST_URL: ' +
            error.message,
        ),
      ),
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        for (const stream of [child.stdout, child.stderr] as unknown as { unref(): void }[]) stream.unref();
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server stopped at once (exit ${code}): ${out.slice(-500)}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}

/** The Redis URL for this test file. */
export function redisUrl(): Promise<string> {
  started ??= process.env.REDIS_TEST_URL
    ? Promise.resolve(process.env.REDIS_TEST_URL)
    : startRedisServer().then((r) => r.url);
  return started;
}

/** A key prefix no other test uses. */
export const redisPrefix = (): string => `leu-test:${randomUUID()}:`;
