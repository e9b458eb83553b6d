// A window as the collector's clock places it: the upload header's window times moved by the
// difference between the collector's clock and this device's. A device whose clock runs minutes
// ahead would otherwise have every window refused as ending in the future.
import type { Core } from '../core/index.ts';

/** The payload with windowStart and windowEnd moved by `shiftMs`; everything else unchanged. */
export function restamp(core: Core, bytes: Uint8Array, shiftMs: number): Uint8Array {
  const p = core.profileFromBytes(bytes);
  try {
    const m = p.meta;
    p.setMeta('windowStart', String(Number(m.windowStart) + shiftMs));
    p.setMeta('windowEnd', String(Number(m.windowEnd) + shiftMs));
    return p.toBytes();
  } finally {
    p.dispose();
  }
}
