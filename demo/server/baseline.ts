// The demo model's baseline: the training rows (with the model's outputs, written by
// demo/train/train.ts) profiled by the edgewatch CLI on the columns the edge runtime records,
// then set on the collector. Columns only devices fill (inference health, delayed-label
// feedback) join empty, so the collector registers every column an upload will carry.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main as cli } from '../../src/cli/main.ts';
import { loadCore } from '../../src/core/index.ts';
import { MODEL_ID, MODEL_VERSION, VERSIONS, type DemoVersion } from '../model/config.ts';
import { baselineSchema } from '../model/edge-columns.ts';

export const trainingRows = (version: DemoVersion) => fileURLToPath(new URL(`../model/${VERSIONS[version].rows}`, import.meta.url));
export const TRAINING_ROWS = trainingRows(MODEL_VERSION);

/** Builds the baseline of a version (default: the model's first) into `dir` and returns its bytes. */
export async function buildBaseline(dir: string, version: DemoVersion = MODEL_VERSION): Promise<Uint8Array> {
  const { fromRows, deviceOnly } = baselineSchema();
  const TRAINING_ROWS = trainingRows(version);
  const schemaFile = join(dir, 'baseline-schema.json');
  const cliProfile = join(dir, `training-${version}.profile`);
  await writeFile(schemaFile, JSON.stringify({ columns: fromRows }));
  const status = await cli([
    'profile',
    TRAINING_ROWS,
    '--schema',
    schemaFile,
    '--out',
    cliProfile,
    '--quiet',
    '--meta',
    `model=${MODEL_ID}`,
    '--meta',
    `modelVersion=${version}`,
  ]);
  if (status !== 0)
    throw new Error(`edgewatch profile ${TRAINING_ROWS} failed (exit ${status}); run node --import tsx demo/train/train.ts`);

  const core = await loadCore();
  const profile = core.profileFromBytes(await readFile(cliProfile));
  const empty = core.profile({ columns: deviceOnly });
  let bytes: Uint8Array;
  try {
    profile.merge(empty); // adds the device-only columns, with no values
    bytes = profile.toBytes();
  } finally {
    profile.dispose();
    empty.dispose();
  }
  await writeFile(join(dir, version === MODEL_VERSION ? 'baseline.profile' : `baseline-${version}.profile`), bytes);
  return bytes;
}

/** PUT /v1/models/:model/versions/:version/baseline with the admin key. */
export async function uploadBaseline(
  api: string,
  adminKey: string,
  bytes: Uint8Array,
  version: DemoVersion = MODEL_VERSION,
): Promise<string[]> {
  const url = `${api}/v1/models/${encodeURIComponent(MODEL_ID)}/versions/${encodeURIComponent(version)}/baseline`;
  const res = await fetch(url, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/octet-stream' },
    body: bytes as BodyInit,
  });
  const body = (await res.json().catch(() => ({}))) as { columns?: string[]; error?: string };
  if (res.status === 422) {
    // A model version's columns are fixed when it is first registered: data from an older
    // edge runtime, whose columns differ, cannot take this baseline.
    throw new Error(
      `setting the baseline failed: ${body.error ?? 'HTTP 422'}. The data directory holds ${MODEL_ID}@${version} ` +
        'with other columns (an older edgewatch?): start with another --data-dir, or delete this one to begin afresh',
    );
  }
  if (!res.ok) throw new Error(`setting the baseline failed: HTTP ${res.status} ${body.error ?? ''}`);
  return body.columns ?? [];
}
