// Everything a request handler needs, built once per collector process.
import type { CollectorOptions } from './config.ts';
import type { Core } from './core.ts';
import type { KeyCache } from './http/auth.ts';
import type { ModelRegistry } from './ingest/models.ts';
import type { CollectorMetrics } from './metrics.ts';
import type { Db } from './storage/db.ts';
import type { WriteHealth } from './write-health.ts';

export interface CollectorContext {
  options: CollectorOptions;
  db: Db;
  core: Core;
  models: ModelRegistry;
  keys: KeyCache;
  metrics: CollectorMetrics;
  writes: WriteHealth;
}
