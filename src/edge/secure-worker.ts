// The worker createMonitor starts in the secure privacy mode: the default worker plus the sealing
// of windows into reports for the two aggregators (seal.ts, with the HPKE library). A worker of
// its own, so that monitors in every other mode never download that library.
import { sealWindow } from './seal.ts';
import { exposeMonitorWorker } from './worker.ts';

exposeMonitorWorker({ ort: () => import('onnxruntime-web/wasm'), seal: sealWindow });
