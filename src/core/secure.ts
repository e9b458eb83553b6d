// edgewatch/secure: the secure mode's shares and reports, for the two aggregators and for code
// that seals windows itself. A subpath of its own: it brings the HPKE library, which nothing
// else of the core needs (a page without a bundler would otherwise have to map it).
export { cellVector, setCells, splitShares, sumShares, noiseShare, combineShares } from './shares.ts';
export {
  SecureReportError,
  sealReport,
  parseSecureReport,
  parseHelperReport,
  parseSecureBatch,
  type SecureBatchHead,
  type ReceivedReport,
  type HelperReport,
  openHelperShare,
  helperKeyPair,
  expandSeed,
  secureNoiseScale,
  layoutMeta,
  sha256Hex,
  MAX_CELLS,
  type SecureBatch,
  type SecureParams,
  type SecureReport,
  type HelperKey,
} from './secure-report.ts';
export { checkHelperKey, HelperKeyError } from './helper-key.ts';
