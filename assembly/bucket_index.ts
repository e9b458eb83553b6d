// Exact mapping of a positive finite double to its exponential-histogram bucket.
//
// Bucket i at scale s covers (2^(i·2^-s), 2^((i+1)·2^-s)]. Computing that with `log` rounds
// wrongly next to boundaries, so we split the double into exponent and mantissa and place the
// mantissa with a table of exact scale-8 boundaries; every scale <= 8 nests inside scale 8, so
// the index at scale s is the scale-8 index shifted right by (8 - s).
import { BOUND_BITS, LOOKUP } from './bucket_bounds';

export const MAX_SCALE: i32 = 8;
export const MIN_SCALE: i32 = -10;

const MANTISSA_MASK: u64 = 0x000fffffffffffff;
const ONE_BITS: u64 = 0x3ff0000000000000;

/** Scale-8 index of a positive, finite, non-zero value. */
// @ts-ignore: decorator
@inline
export function index8(x: f64): i32 {
  let bits = reinterpret<u64>(x);
  let exp = <i32>(bits >> 52) - 1023;
  if (exp == -1023) {
    // Subnormal: normalise by 2^64 so the mantissa has its implicit leading one.
    bits = reinterpret<u64>(x * 18446744073709551616.0);
    exp = <i32>(bits >> 52) - 1023 - 64;
  }
  const mant = bits & MANTISSA_MASK;
  if (mant == 0) return (exp << 8) - 1; // exact power of two: upper edge of the bucket below
  let k = <i32>load<u8>(LOOKUP + <usize>(mant >> 43));
  if ((mant | ONE_BITS) > load<u64>(BOUND_BITS + (<usize>(k + 1) << 3))) k++;
  return (exp << 8) + k;
}

// @ts-ignore: decorator
@inline
export function bucketIndex(x: f64, scale: i32): i32 {
  return index8(x) >> (MAX_SCALE - scale);
}

/** Lower boundary of bucket `index` at `scale` (the upper one is lowerBound(index + 1)). */
export function lowerBound(index: i32, scale: i32): f64 {
  if (scale <= 0) {
    const e = <f64>index * <f64>(1 << -scale);
    return Math.pow(2.0, e);
  }
  const size = 1 << scale;
  const whole = index >> scale; // floor division
  const frac = index - (whole << scale);
  return Math.pow(2.0, <f64>whole) * Math.pow(2.0, <f64>frac / <f64>size);
}

/** Relative error bound of a quantile read from a histogram at `scale`: (γ - 1) / (γ + 1). */
export function relativeErrorAt(scale: i32): f64 {
  const gamma = Math.pow(2.0, Math.pow(2.0, <f64>-scale));
  return (gamma - 1.0) / (gamma + 1.0);
}
