// The device id: random per install, replaced every UTC month, never derived from the device
// (no fingerprinting). It lets the collector count distinct clients, nothing more.
import { utcMonth } from './clock.ts';
import type { Store } from './store.ts';

interface DeviceRecord {
  id: string;
  month: string;
}

export async function deviceId(store: Store, now: number): Promise<string> {
  const month = utcMonth(now);
  const rec = await store.update<DeviceRecord>('device', (old) => (old && old.month === month ? old : { id: crypto.randomUUID(), month }));
  return rec.id;
}
