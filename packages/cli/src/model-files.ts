/**
 * Model files: the `lattn.mhla` JSON format of `@lattn/learner` (`serializeModel` / `parseModel`), read with
 * one-line errors that name the file and show a valid document, and written atomically.
 */
import type { MhlaModel } from '@lattn/feature-map';
import { parseModel, serializeModel } from '@lattn/learner';
import { writeFileAtomic } from './files.js';
import { readJson } from './json.js';

/** A short valid model file, quoted when a model file is malformed. */
export const MODEL_EXAMPLE =
  '{"format":"lattn.mhla","version":1,"modelDim":2,"outputDim":1,"heads":[{"value":[[1,0]],"query":[[0,1],[1,0]]}]}';

/**
 * Reads and validates a `lattn.mhla` model file.
 *
 * @param path - The file.
 * @returns The model.
 * @throws {@link LattnError} `INVALID_FORMAT` naming the file, the problem and a valid example; `INVALID_ARGUMENT`
 * when the file cannot be read.
 * @example
 * ```ts
 * const model = await readModel('model.json');
 * ```
 */
export async function readModel(path: string): Promise<MhlaModel> {
  return readJson(path, {
    description: 'a lattn model file (lattn.mhla JSON)',
    example: MODEL_EXAMPLE,
    parse: parseModel,
  });
}

/**
 * Writes a model as a `lattn.mhla` JSON file (one line and a newline), atomically.
 *
 * @param path - The destination; an existing file is replaced.
 * @param model - The model.
 * @throws {@link LattnError} `INVALID_ARGUMENT` when the destination cannot be written; `NON_FINITE` for a model
 * with NaN or ±Infinity.
 * @example
 * ```ts
 * await writeModel('model.json', recovery.model);
 * ```
 */
export async function writeModel(path: string, model: MhlaModel): Promise<void> {
  const text = `${serializeModel(model)}\n`;
  await writeFileAtomic(path, (handle) => handle.writeFile(text, 'utf8'));
}
