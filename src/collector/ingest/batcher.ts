// Group commit for uploads: requests arriving while an insert is in flight wait and go together
// in the next multi-row INSERT, one commit for all of them. Each caller still learns only after
// that commit whether its row was new (acknowledge after durable), and a duplicate upload id —
// stored before, or twice in one batch — inserts once.
import type { Queryable } from '../storage/db.ts';

export interface UploadRow {
  projectId: number;
  uploadId: string;
  model: string;
  version: string;
  segment: string;
  windowStart: number;
  windowEnd: number;
  deviceId: string;
  rows: number;
  payload: Uint8Array;
  receivedAt: number;
  /** Private mode: the scale of the noise added to every count (null: exact counts). */
  noiseScale: number | null;
  /**
   * Whether the device counts towards k through this upload: a few made-up device ids uploading
   * empty windows must not lift a real device's data over the threshold.
   */
  counted: boolean;
}

const COLUMNS =
  'project_id, upload_id, model, version, segment, window_start, window_end, device_id, rows, payload, received_at, noise_scale, counted';
const WIDTH = 13;
const values = (r: UploadRow) => [
  r.projectId,
  r.uploadId,
  r.model,
  r.version,
  r.segment,
  r.windowStart,
  r.windowEnd,
  r.deviceId,
  r.rows,
  r.payload,
  r.receivedAt,
  r.noiseScale,
  r.counted,
];

interface Waiting {
  row: UploadRow;
  resolve(inserted: boolean): void;
  reject(err: unknown): void;
}

export class UploadBatcher {
  private queue: Waiting[] = [];
  private flushing = 0;

  /**
   * `concurrency`: inserts in flight at once (1 for PGlite's single connection).
   * `gatherTurn`: wait one event-loop turn before taking each batch (see `gather`): for PGlite's
   * one connection. Over PostgreSQL uploads gather on
   * their own while a statement is on the wire, and the extra turn measured slower.
   */
  constructor(
    private db: Queryable,
    private concurrency = 1,
    private maxBatch = 256,
    private gatherTurn = false,
  ) {}

  /** Resolves true when the row was inserted and committed, false when its upload id existed. */
  insert(row: UploadRow): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (this.flushing < this.concurrency) void this.flush();
    });
  }

  private async flush() {
    this.flushing++;
    try {
      while (this.queue.length > 0) {
        if (this.gatherTurn) await gather();
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          settle(batch, await this.insertMany(batch.map((w) => w.row)));
        } catch {
          // One failing row must not fail its neighbours: retry them one by one.
          for (const w of batch) {
            try {
              settle([w], await this.insertMany([w.row]));
            } catch (err) {
              w.reject(err);
            }
          }
        }
      }
    } finally {
      this.flushing--;
    }
  }

  private async insertMany(rows: UploadRow[]): Promise<Set<string>> {
    const tuples = rows.map((_, i) => `(${Array.from({ length: WIDTH }, (_, j) => `$${i * WIDTH + j + 1}`).join(', ')})`);
    const inserted = await this.db.query<{ project_id: number; upload_id: string }>(
      `insert into uploads (${COLUMNS}) values ${tuples.join(', ')}
       on conflict (project_id, upload_id) do nothing returning project_id, upload_id`,
      rows.flatMap(values),
    );
    return new Set(inserted.map((r) => `${r.project_id}\u0000${r.upload_id}`));
  }
}

/**
 * Lets the uploads that have already arrived join the batch before it is taken. When PGlite ran
 * its statements on this thread, without this turn of the event loop the first upload to arrive
 * after a commit started the next insert alone while every other request waited for it unparsed
 * in its socket, and every batch held one row; with PGlite on its own thread the turn still lets
 * the requests already read join the batch. `setImmediate` runs after the
 * event loop's I/O phase, so every request whose bytes are in by then has been read, decoded and
 * queued.
 */
const gather = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The first waiter of an inserted id gets true; any other waiter with that id is a duplicate. */
function settle(batch: Waiting[], inserted: Set<string>) {
  for (const w of batch) w.resolve(inserted.delete(`${w.row.projectId}\u0000${w.row.uploadId}`));
}
