// Where the dashboard finds its collector and read key: `?collector=<url>&key=<read key>` in the
// page URL (the key is then moved to local storage and taken out of the address bar, so it does
// not linger in history or screenshots), else what this browser stored last time.
import type { Connection } from './components/ew-app.ts';

export const STORAGE = { collector: 'edgewatch.dashboard.collector', key: 'edgewatch.dashboard.key' } as const;

export function readConnection(loc: Location = location, storage: Storage = localStorage): Connection | null {
  const params = new URLSearchParams(loc.search);
  const fromUrl = params.get('collector');
  const keyFromUrl = params.get('key');
  if (fromUrl) storage.setItem(STORAGE.collector, fromUrl);
  if (keyFromUrl) {
    storage.setItem(STORAGE.key, keyFromUrl);
    params.delete('key');
    const query = params.toString();
    history.replaceState(null, '', `${loc.pathname}${query ? `?${query}` : ''}${loc.hash}`);
  }
  const baseUrl = storage.getItem(STORAGE.collector);
  const key = storage.getItem(STORAGE.key);
  return baseUrl && key ? { baseUrl, key } : null;
}
