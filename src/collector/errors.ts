// A rejected request: an HTTP status, a machine-readable reason (the label of the
// `edgewatch_ingest_rejects_total` counter) and a one-line message for the client.
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
