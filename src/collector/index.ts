// The collector's public face, used by the CLI (`edgewatch serve`, `edgewatch keys`) and tests.
export { serve, createCollector, type Collector } from './server.ts';
export { keysCommand, KEYS_HELP } from './keys-command.ts';
export { resolveOptions, helpText as serveHelp, defaultOptions, type CollectorOptions } from './config.ts';
export { parseEvalWindows, type EvalWindow } from './eval-windows.ts';
export { createKey, listKeys, revokeKey, type KeyKind } from './keys.ts';
