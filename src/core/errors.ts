/** Raised for bytes that are not a valid edgewatch profile; the message is one line. */
export class CodecError extends Error {
  override name = 'CodecError';
}

/** Raised when the core refuses an operation (bad schema, incompatible merge, …). */
export class CoreError extends Error {
  override name = 'CoreError';
}
