// Node arguments for a process a test starts (a connector, a command): under the suite's secret scan
// (LEU_SECRET_SCAN_DIR, set by npm run test:node) the child is scanned too, so what it sends and logs is searched.
export const scannedNodeArgs = (): string[] =>
  process.env.LEU_SECRET_SCAN_DIR ? ['--import', 'tsx', '--import', './test/secret-scan.ts'] : ['--import', 'tsx'];
