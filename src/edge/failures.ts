// Failure kinds counted in health.failure: what went wrong, never the message itself (messages
// can quote input values).
import type { FailureKind } from './schema.ts';
import { FAILURE_KINDS } from './schema.ts';

export function failureKind(err: unknown): FailureKind {
  if (typeof err === 'string' && (FAILURE_KINDS as readonly string[]).includes(err)) return err as FailureKind;
  const msg = String((err as Error)?.message ?? err).toLowerCase();
  if (/input|feed|shape|dims|tensor type|data type|expected/.test(msg)) return 'input';
  if (/output/.test(msg)) return 'output';
  return 'inference';
}
