// Before any test: the core is rebuilt if assembly/ changed since it was last built, so no test
// runs against a stale wasm.
import { ensureWasm } from '../scripts/wasm.ts';

export default function setup(): void {
  if (ensureWasm()) console.log('edgewatch core rebuilt from assembly/');
}
