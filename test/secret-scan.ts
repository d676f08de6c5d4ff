// Preloaded into every node test process (npm run test:node): everything the server sends (each answer's headers
// and body, outside the fake Concur's own /sandbox/ routes) and everything it logs is searched for the
// configured secrets and for any token or authorization code the fake Concur issued. A find fails the test file
// (exit code 1) with where it was seen; test/secret-scan-report.mjs sums up what was scanned.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { SecretTap } from '../server/secret-tap.ts';

/** Passwords and client secrets the tests and the sandbox configure (test/server/helpers.ts, server/config.ts). */
export const SCANNED_SECRETS = [
  'S3cret-Passw0rd!',
  'test-client-secret-0123',
  'sandbox-Passw0rd!',
  'sandbox-client-secret',
  'another-Passw0rd',
];
/** Every access token, refresh token, company request token and authorization code the fake Concur issues. */
export const ISSUED_TOKEN = /sbx-(?:code|req|at|rt)-[0-9A-F]{32}/;

export function findSecrets(text: string): string[] {
  const found = SCANNED_SECRETS.filter((s) => text.includes(s)).map((s) => `the secret ${s.slice(0, 3)}…`);
  const token = ISSUED_TOKEN.exec(text);
  return token ? [...found, `the Concur token or code ${token[0].slice(0, 12)}…`] : found;
}

const stats = { responses: 0, responseBytes: 0, logLines: 0, findings: [] as string[] };
const dir = process.env.LEU_SECRET_SCAN_DIR;
if (dir) mkdirSync(dir, { recursive: true });

/** A find is written down at once: a server process the tests kill with SIGKILL never reaches its exit handler. */
function found(finding: string) {
  stats.findings.push(finding);
  if (dir) appendFileSync(join(dir, `${process.pid}.findings`), `${finding}\n`);
}
const tap: SecretTap = {
  response(path, headers, sent) {
    // What the browser reads: a compressed answer (the popup's files) is scanned as it unpacks.
    const encoding = headers.find(([k]) => k.toLowerCase() === 'content-encoding')?.[1];
    const body = Buffer.from(
      encoding === 'br' ? brotliDecompressSync(sent) : encoding === 'gzip' ? gunzipSync(sent) : sent,
    ).toString('utf8');
    stats.responses++;
    stats.responseBytes += body.length;
    const text = `${headers.map(([k, v]) => `${k}: ${v}`).join('\n')}\n\n${body}`;
    for (const f of findSecrets(text)) found(`${f} in the answer to ${path}`);
  },
  log(line) {
    stats.logLines++;
    for (const f of findSecrets(line)) found(`${f} in a log line: ${line.slice(0, 200)}`);
  },
};
(globalThis as { leuSecretTap?: SecretTap }).leuSecretTap = tap;

// A process a test started (test/scanned-node.ts): what it prints is scanned too (a command's report, a server's
// start-up line). The test process's own output (test names, assertion diffs) is not.
if (process.env.LEU_SECRET_SCAN_OUTPUT) {
  for (const [name, stream] of [
    ['standard output', process.stdout],
    ['standard error', process.stderr],
  ] as const) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) => {
      for (const f of findSecrets(String(chunk))) found(`${f} on its ${name}: ${String(chunk).slice(0, 200)}`);
      return write(chunk, ...rest);
    };
  }
}

process.on('exit', () => {
  if (dir)
    writeFileSync(
      join(dir, `${process.pid}.json`),
      JSON.stringify({ file: process.argv.at(-1), ...stats, findings: [] }),
    );
  if (stats.findings.length) {
    process.stderr.write(
      `secret scan: ${stats.findings.length} secret(s) sent or logged:\n${[...new Set(stats.findings)]
        .slice(0, 20)
        .map((f) => `  ${f}`)
        .join('\n')}\n`,
    );
    process.exitCode = 1;
  }
});
