// A hook for the test suite's secret scan (test/secret-scan.ts): when a run installs globalThis.leuSecretTap,
// every answer the app sends and every log line is shown to it. Nothing is installed in production.
export interface SecretTap {
  /** The body as sent: compressed when the answer has a Content-Encoding (the popup's files). */
  response(path: string, headers: [string, string][], body: Uint8Array): void;
  log(line: string): void;
}

export const secretTap = (): SecretTap | undefined => (globalThis as { leuSecretTap?: SecretTap }).leuSecretTap;
