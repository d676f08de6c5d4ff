// Redis topologies for the store's tests, from Debian's redis-server on 127.0.0.1, on free ports, in a temporary
// folder: a Redis Cluster of three masters, and a Sentinel group (one master, one replica, three Sentinels). The
// test that starts one stops it (every process killed, the folder removed), also when the test fails: call stop()
// in an after() hook. Should the test process end first, its exit kills whatever is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './net.ts';
import { scanEnv, scannedNodeArgs } from './scanned-node.ts';

/** How long a topology may take to come up: generous, for a busy two-core machine. */
const STARTUP_MS = 30_000;

const MISSING =
  'The Redis Cluster and Sentinel tests need redis-server and redis-cli on the PATH (Debian: apt-get install ' +
  'redis-server)';

/** Polls `check` until it gives a value (not undefined or false); fails after `timeoutMs`, naming `what`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = STARTUP_MS,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${last})` : ''}`);
    await sleep(everyMs);
  }
}

/** Sends one command to a server or Sentinel on a loopback port, on a connection of its own (closed after). */
export async function ask(port: number, command: string, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    commandTimeout: 5000,
  });
  // Its failures come back from the command.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/** A field of an INFO section: `info(port, 'replication', 'role')`. */
export async function info(port: number, section: string, field: string): Promise<string | undefined> {
  const text = String(await ask(port, 'INFO', section));
  return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/** SENTINEL REPLICAS and the like answer flat [name, value, name, value, …] lists: as objects. */
const records = (reply: unknown): Record<string, string>[] =>
  (reply as string[][]).map((flat) =>
    Object.fromEntries(flat.flatMap((v, i, all) => (i % 2 ? [] : [[v, all[i + 1]!]]))),
  );

/** The processes and the folder of one topology. */
class Servers {
  readonly dir = mkdtempSync(join(tmpdir(), 'leu-redis-'));
  private readonly children = new Set<ChildProcess>();
  private readonly killAll = () => {
    for (const child of this.children) child.kill('SIGKILL');
  };

  constructor() {
    process.once('exit', this.killAll);
  }

  /** Free loopback ports, none the same. */
  async ports(count: number): Promise<number[]> {
    const ports = new Set<number>();
    while (ports.size < count) ports.add(await freePort());
    return [...ports];
  }

  /** Starts redis-server on a configuration file written from `lines`; resolves once it answers PING. */
  async start(name: string, port: number, lines: string[], sentinel = false): Promise<void> {
    const dir = join(this.dir, name);
    mkdirSync(dir);
    const file = join(dir, sentinel ? 'sentinel.conf' : 'redis.conf');
    writeFileSync(file, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, 'logfile ""', ...lines, ''].join('\n'));
    const child = spawn('redis-server', sentinel ? [file, '--sentinel'] : [file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.unref();
    // Read what it prints (a full pipe would stop it), keeping the end for messages.
    let out = '';
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk: Buffer) => (out = (out + chunk.toString()).slice(-2000)));
      (stream as unknown as { unref(): void }).unref();
    }
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`${MISSING}: ${error.message}`)));
      child.once('exit', (code, signal) =>
        reject(new Error(`redis-server ${name} stopped (${signal ?? `exit ${code}`}): ${out.slice(-800)}`)),
      );
    });
    failed.catch(() => undefined);
    await Promise.race([
      failed,
      until(`redis-server ${name} on port ${port}`, async () => (await ask(port, 'PING')) === 'PONG'),
    ]);
  }

  /** Runs a command to its end (bounded); its output, or an error with it. */
  run(command: string, args: string[], timeoutMs = STARTUP_MS): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.once('error', (error) => reject(new Error(`${MISSING}: ${error.message}`)));
      child.once('exit', (code, signal) =>
        code === 0
          ? resolve(out)
          : reject(new Error(`${command} failed (${signal ?? `exit ${code}`}): ${out.slice(-1500)}`)),
      );
    });
  }

  private async kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // Waited for: the test process stays up until it has gone (started unref'd, see start()).
    child.ref();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Kills every process and removes the folder. */
  async stop(): Promise<void> {
    process.off('exit', this.killAll);
    await Promise.all([...this.children].map((child) => this.kill(child)));
    this.children.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Nothing on disk, nothing kept: what every server of these tests is told. */
const EPHEMERAL = ['save ""', 'appendonly no'];

export interface ClusterTopology {
  /** redis+cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3 */
  url: string;
  /** The masters' client ports. */
  ports: number[];
  stop(): Promise<void>;
}

/** A Redis Cluster of three masters and no replicas, every node saying cluster_state:ok. */
export async function startCluster(): Promise<ClusterTopology> {
  const servers = new Servers();
  try {
    const [a, b, c, ...buses] = await servers.ports(6);
    const ports = [a!, b!, c!];
    await Promise.all(
      ports.map((port, i) =>
        servers.start(`node-${port}`, port, [
          ...EPHEMERAL,
          'cluster-enabled yes',
          'cluster-config-file nodes.conf',
          // The bus port is free too (the default, port + 10000, may not be).
          `cluster-port ${buses[i]}`,
          'cluster-node-timeout 5000',
        ]),
      ),
    );
    await servers.run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const port of ports)
      await until(`the Cluster node on port ${port} to say cluster_state:ok`, async () => {
        const text = String(await ask(port, 'CLUSTER', 'INFO'));
        return text.includes('cluster_state:ok') && text.includes('cluster_known_nodes:3');
      });
    return {
      url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
      ports,
      stop: () => servers.stop(),
    };
  } catch (error) {
    await servers.stop();
    throw error;
  }
}

export interface SentinelTopology {
  /** redis+sentinel://127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3/mymaster */
  url: string;
  name: string;
  masterPort: number;
  replicaPort: number;
  sentinelPorts: number[];
  /** The port of the master the Sentinels name now. */
  currentMaster(): Promise<number>;
  /** SENTINEL FAILOVER, once a Sentinel agrees to it (it refuses while it sees no replica fit to promote). */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

/** One master, one replica (in sync), and three Sentinels that see both and one another. */
export async function startSentinel(): Promise<SentinelTopology> {
  const servers = new Servers();
  const name = 'mymaster';
  try {
    const [masterPort, replicaPort, ...sentinelPorts] = await servers.ports(5);
    // Full syncs start at once (the default waits 5 s for more replicas), on the master and on the replica that
    // may become one.
    const fast = ['repl-diskless-sync yes', 'repl-diskless-sync-delay 0'];
    await servers.start('master', masterPort!, [...EPHEMERAL, ...fast]);
    await servers.start('replica', replicaPort!, [...EPHEMERAL, ...fast, `replicaof 127.0.0.1 ${masterPort}`]);
    await until(
      'the replica to be in sync',
      async () => (await info(replicaPort!, 'replication', 'master_link_status')) === 'up',
    );
    await Promise.all(
      sentinelPorts.map((port) =>
        servers.start(
          `sentinel-${port}`,
          port,
          [
            `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
            `sentinel down-after-milliseconds ${name} 1000`,
            `sentinel failover-timeout ${name} 5000`,
            `sentinel parallel-syncs ${name} 1`,
          ],
          true,
        ),
      ),
    );
    for (const port of sentinelPorts)
      await until(`the Sentinel on port ${port} to see the replica and the other Sentinels`, async () => {
        const replicas = records(await ask(port, 'SENTINEL', 'REPLICAS', name));
        const sentinels = records(await ask(port, 'SENTINEL', 'SENTINELS', name));
        return (
          replicas.some(
            (r) => r.port === String(replicaPort) && r.flags === 'slave' && r['master-link-status'] === 'ok',
          ) && sentinels.length === 2
        );
      });
    const currentMaster = async () =>
      Number(((await ask(sentinelPorts[0]!, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[])[1]);
    return {
      url: `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${name}`,
      name,
      masterPort: masterPort!,
      replicaPort: replicaPort!,
      sentinelPorts,
      currentMaster,
      failover: async () => {
        await until('a Sentinel to start the failover', async () => {
          try {
            return (await ask(sentinelPorts[0]!, 'SENTINEL', 'FAILOVER', name)) === 'OK';
          } catch (error) {
            // NOGOODSLAVE (no replica fit yet) or INPROG: ask again.
            if (/NOGOODSLAVE|INPROG/.test((error as Error).message)) return false;
            throw error;
          }
        });
      },
      stop: () => servers.stop(),
    };
  } catch (error) {
    await servers.stop();
    throw error;
  }
}

/**
 * Runs the store's contract (test/server/store/contract.test.ts, its "the redis store" suite: the same tests the
 * Redis store passes on one server) against a store opened with `url`, in a node process of its own; resolves to
 * its TAP summary counts and output. Bounded by `timeoutMs`.
 */
export function runStoreContract(
  url: string,
  timeoutMs = 45_000,
): Promise<{ pass: number; fail: number; cancelled: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        ...scannedNodeArgs(),
        '--test-reporter=tap',
        '--test-name-pattern=^the redis store ',
        'test/server/store/contract.test.ts',
      ],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        // Without NODE_TEST_CONTEXT, which would make it report to this test runner instead of printing TAP.
        env: { ...withoutTestContext(process.env), ...scanEnv(), REDIS_TEST_URL: url },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: timeoutMs,
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN);
      resolve({ pass: count('pass'), fail: count('fail'), cancelled: count('cancelled'), output });
    });
  });
}

const withoutTestContext = ({ NODE_TEST_CONTEXT: _, ...env }: NodeJS.ProcessEnv): NodeJS.ProcessEnv => env;
