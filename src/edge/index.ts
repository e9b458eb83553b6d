// edgewatch for the browser: monitored onnxruntime-web inference.
export { createMonitor, type Monitor, type CreateMonitorExtras } from './monitor.ts';
export { instrument, type InstrumentedSession } from './instrument.ts';
export type { MonitorOptions, PrivacyOptions, Grid, GridColumn, TensorLike, Tensors } from './options.ts';
export type { EngineStatus } from './engine.ts';
export type { PredictResult } from './worker.ts';
