// SQL for what a raw upload row stands for, shared by every level that reads raw uploads.
/**
 * The devices a raw upload counts for towards k (as an array, like a rollup's): its device, none
 * when it has too few rows, or, for a secure-mode release (secure/collect.ts), one per report.
 */
export const UPLOAD_DEVICES = `case when not counted then '{}'::text[] when reports is null then array[device_id]
  else array(select device_id || '#' || g from generate_series(1, reports) g) end`;
/** A raw upload's noise: one draw of its scale, or two for a release (each aggregator drew one). */
export const UPLOAD_NOISE = `case when noise_scale is null then '{}'::jsonb
  else jsonb_build_object(noise_scale::text, case when reports is null then 1 else 2 end) end`;
