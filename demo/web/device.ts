// One simulated device: a real edge monitor (createMonitor) whose worker runs the ONNX model
// with onnxruntime-web, fed the days its replay picks, then told the true weather of each day
// (the delayed label a real app would learn later).
import { createMonitor, type Monitor } from '../../src/edge/index.ts';
import type { DemoConfig } from './config.ts';
import { Replay, type DayPools, type Scenario } from './traffic.ts';

/** Accuracy is shown over the last this many days, so a scenario's effect shows at once. */
const RECENT = 200;

export interface DeviceStats {
  name: string;
  version: string;
  /** The device's segment, as it uploads it (region and app version). */
  segment: Record<string, string>;
  source: string;
  rows: number;
  /** Share of the last RECENT days whose weather the model got right (NaN before any). */
  recentAccuracy: number;
  /** Closed windows waiting in the device's outbox. */
  waiting: number;
  storage: string;
  lastPrediction: string;
  error: string | null;
}

export class SimulatedDevice {
  readonly stats: DeviceStats;
  #monitor: Monitor;
  #replay: Replay;
  #classes: readonly string[];
  #recent: boolean[] = [];
  #busy = false;

  private constructor(name: string, version: string, segment: Record<string, string>, monitor: Monitor, classes: readonly string[]) {
    this.#monitor = monitor;
    this.#classes = classes;
    this.#replay = new Replay();
    this.stats = {
      name,
      version,
      segment,
      source: 'Seattle',
      rows: 0,
      recentAccuracy: NaN,
      waiting: 0,
      storage: '',
      lastPrediction: '',
      error: null,
    };
  }

  static async start(
    index: number,
    config: DemoConfig,
    model: { version: string; bytes: Uint8Array },
    segment: Record<string, string>,
  ): Promise<SimulatedDevice> {
    const name = `device-${index + 1}`;
    const worker = new Worker(new URL('./device-worker.ts', import.meta.url), { type: 'module', name });
    const monitor = await createMonitor(
      {
        model: model.bytes,
        modelId: config.model.id,
        modelVersion: model.version,
        segment,
        features: config.model.features,
        classes: config.model.classes,
        collector: config.collector,
        apiKey: config.ingestKey,
        window: config.windowMs,
        checkpointEvery: 2_000,
        upload: { baseDelayMs: 250, maxDelayMs: 5_000 },
      },
      { worker },
    );
    return new SimulatedDevice(name, model.version, segment, monitor, config.model.classes);
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Runs the model on `rows` replayed days and sends their labels as feedback. */
  async step(rows: number, pools: DayPools, scenario: Scenario, affected: boolean): Promise<void> {
    if (this.#busy || rows < 1) return;
    this.#busy = true;
    try {
      const batch = this.#replay.next(pools, scenario, affected, rows);
      const classes = this.#classes;
      const width = batch.features.length / rows;
      const result = await this.#monitor.predict({ input: { type: 'float32', data: batch.features, dims: [rows, width] } });
      const scores = result.outputs.probabilities.data as Float32Array;
      const k = classes.length;
      for (let r = 0; r < rows; r++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (scores[r * k + c] > scores[r * k + best]) best = c;
        this.#recent.push(classes[best] === batch.labels[r]);
        this.stats.lastPrediction = classes[best];
      }
      this.#recent.splice(0, Math.max(0, this.#recent.length - RECENT));
      this.stats.recentAccuracy = this.#recent.filter(Boolean).length / this.#recent.length;
      await this.#monitor.feedback(result.predictionId, batch.labels);
      this.stats.rows += rows;
      this.stats.source = batch.source;
      this.stats.error = null;
    } catch (err) {
      this.stats.error = (err as Error).message;
    } finally {
      this.#busy = false;
    }
  }

  async refreshStatus(): Promise<void> {
    try {
      const s = await this.#monitor.status();
      this.stats.waiting = s.outbox;
      this.stats.storage = s.storage;
    } catch (err) {
      this.stats.error = (err as Error).message;
    }
  }

  close(): Promise<void> {
    return this.#monitor.close();
  }
}
