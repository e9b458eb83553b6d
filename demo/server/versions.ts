// What each demo version is, set on the collector (PUT …/metadata): owner, criticality, the
// training data snapshot, the feature schema version and, for the canary, its rollback target —
// so the canary comparison (GET …/canary) knows what to compare 1.1.0 with.
import { CANARY_VERSION, MODEL_ID, MODEL_VERSION, VERSIONS, type DemoVersion } from '../model/config.ts';

const METADATA: Record<DemoVersion, Record<string, string | null>> = {
  [MODEL_VERSION]: { rollbackTarget: null },
  [CANARY_VERSION]: { rollbackTarget: MODEL_VERSION },
};

export async function setVersionMetadata(api: string, adminKey: string): Promise<void> {
  for (const version of Object.keys(VERSIONS) as DemoVersion[]) {
    const body = {
      owner: 'weather-model',
      criticality: 'medium',
      trainingSnapshot: `vega-datasets weather.csv, ${VERSIONS[version].trainedOn}`,
      schemaVersion: '1',
      ...METADATA[version],
    };
    const res = await fetch(`${api}/v1/models/${encodeURIComponent(MODEL_ID)}/versions/${encodeURIComponent(version)}/metadata`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`setting the metadata of ${MODEL_ID}@${version} failed: HTTP ${res.status} ${await res.text()}`);
  }
}
