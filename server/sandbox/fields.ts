// The sandbox's fields configuration (used when it runs without FIELDS_FILE): examples/fields.json, the example
// shipped for administrators, so every source and every example flow can be tried in the simulator.
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFieldsFile, type FieldsFile } from '../fields/fields.ts';

export const EXAMPLE_FIELDS_FILE = fileURLToPath(new URL('../../examples/fields.json', import.meta.url));

/** The example, with its catalog files found from the repository root whatever folder the server starts in. */
export async function sandboxFieldsFile(): Promise<FieldsFile> {
  const file = await readFieldsFile(EXAMPLE_FIELDS_FILE);
  const root = resolve(dirname(EXAMPLE_FIELDS_FILE), '..');
  for (const source of Object.values(file.sources)) {
    if (source.type === 'catalog' && source.file && !isAbsolute(source.file)) source.file = resolve(root, source.file);
  }
  return file;
}
