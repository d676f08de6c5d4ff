// A fresh data directory for a server started with the default (SQLite) store, so test runs share no state.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const tempDataDir = (): string => mkdtempSync(join(tmpdir(), 'leu-data-'));
