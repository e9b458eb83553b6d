// The worker createMonitor starts by default. It loads onnxruntime-web's wasm-only build, a
// quarter of the full one; an app that wants WebGPU or WebNN makes its own worker script with
// exposeMonitorWorker({ ort: () => import('onnxruntime-web/webgpu') }) and passes it in.
import { exposeMonitorWorker } from './worker.ts';

exposeMonitorWorker({ ort: () => import('onnxruntime-web/wasm') });
