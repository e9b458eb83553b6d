// The simulated fleet: starts the devices, and on every tick lets each idle device replay as
// many days as the speed says have passed (the remainder carries over to the next tick).
import type { DemoConfig } from './config.ts';
import { SimulatedDevice } from './device.ts';
import { isAffected, type DayPools, type Scenario } from './traffic.ts';

const TICK_MS = 200;
/** Largest batch one device runs at once, so a slow tick never turns into a huge batch. */
const MAX_BATCH = 256;

/**
 * A device's segment: its region — the first half of the fleet "east", where a scenario's share
 * of affected devices starts, the rest "west" — and its app version, rolled out region by region
 * (east runs 5.2, west still 5.1). A segment shows at the collector from k (5) devices: from ten
 * devices on.
 */
export function segmentOf(index: number, count: number): Record<string, string> {
  const east = index < Math.ceil(count / 2);
  return { region: east ? 'east' : 'west', app: east ? '5.2' : '5.1' };
}

export class Fleet {
  devices: SimulatedDevice[] = [];
  /** Days each device replays per second. */
  speed = 10;
  scenario: Scenario = { kind: 'seattle', season: 'winter', share: 1 };
  #carry: number[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #last = 0;

  constructor(
    private config: DemoConfig,
    private models: { stable: Uint8Array; canary: Uint8Array },
    private pools: DayPools,
  ) {}

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Starts `count` devices; the last `canaryShare` of them run the canary version. Scenarios
   * affect the first devices, so the two overlap only when both shares are large.
   */
  async start(count: number, canaryShare = 0): Promise<void> {
    if (this.running) return;
    const canaries = Math.round(canaryShare * count);
    const model = (i: number) =>
      i >= count - canaries
        ? { version: this.config.canary.version, bytes: this.models.canary }
        : { version: this.config.model.version, bytes: this.models.stable };
    this.devices = await Promise.all(
      Array.from({ length: count }, (_, i) => SimulatedDevice.start(i, this.config, model(i), segmentOf(i, count))),
    );
    this.#carry = this.devices.map(() => 0);
    this.#last = performance.now();
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  affected(index: number): boolean {
    return isAffected(this.scenario, index, this.devices.length);
  }

  #tick(): void {
    const now = performance.now();
    const dt = (now - this.#last) / 1000;
    this.#last = now;
    this.devices.forEach((d, i) => {
      this.#carry[i] = Math.min(this.#carry[i] + this.speed * dt, MAX_BATCH);
      const rows = Math.floor(this.#carry[i]);
      if (d.busy || rows < 1) return;
      this.#carry[i] -= rows;
      void d.step(rows, this.pools, this.scenario, this.affected(i));
    });
  }

  /** Stops replaying; every device closes its window and uploads what waits. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const devices = this.devices;
    this.devices = [];
    await Promise.all(devices.map((d) => d.close()));
  }
}
