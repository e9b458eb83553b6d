// The worker of one simulated device: the edge runtime's own worker (src/edge/default-worker.ts), given
// storage of its own first. Every device on this page shares one origin, so without this they
// would share one IndexedDB — one outbox, one device id — and look like a single device to the
// collector. Each device opens a Storage Bucket named after it (its own IndexedDB, kept across
// reloads, as a real device's browser storage would be); where buckets are missing, the runtime
// falls back to memory, which is per worker too.
const early: MessageEvent[] = [];
const hold = (e: MessageEvent) => {
  early.push(e);
  e.stopImmediatePropagation();
};
// createMonitor talks at once; messages wait here until the runtime listens.
self.addEventListener('message', hold);

interface StorageBuckets {
  open(name: string): Promise<{ indexedDB: IDBFactory }>;
}

async function useDeviceStorage(name: string): Promise<void> {
  const buckets = (navigator as unknown as { storageBuckets?: StorageBuckets }).storageBuckets;
  const factory = buckets ? (await buckets.open(name)).indexedDB : undefined;
  Object.defineProperty(self, 'indexedDB', { value: factory, configurable: true });
}

const bucketName = self.name.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
useDeviceStorage(bucketName)
  .catch((err) => {
    console.warn(`${self.name}: no storage bucket (${(err as Error).message}); this device keeps its windows in memory`);
    Object.defineProperty(self, 'indexedDB', { value: undefined, configurable: true });
  })
  .then(() => import('../../src/edge/default-worker.ts'))
  .then(() => {
    self.removeEventListener('message', hold);
    for (const e of early.splice(0)) self.dispatchEvent(new MessageEvent('message', { data: e.data, ports: [...e.ports] }));
  });
