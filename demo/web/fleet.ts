// The simulated fleet: starts the devices, and on every tick lets each idle device replay as
// many days as the speed says have passed (the remainder carries over to the next tick).
import type { DemoConfig } from './config.ts';
import { SimulatedDevice } from './device.ts';
import { isAffected, type DayPools, type Scenario } from './traffic.ts';

const TICK_MS = 200;
/** Largest batch one device runs at once, so a slow tick never turns into a huge batch. */
const MAX_BATCH = 256;

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
    private model: Uint8Array,
    private pools: DayPools,
  ) {}

  get running(): boolean {
    return this.#timer !== undefined;
  }

  async start(count: number): Promise<void> {
    if (this.running) return;
    this.devices = await Promise.all(Array.from({ length: count }, (_, i) => SimulatedDevice.start(i, this.config, this.model)));
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
