// An AssemblyScript compiler transform: the standard library's Math picks table-driven
// log/exp/pow (and their base-2 forms) when the shrink level is 0, which puts about 10 KB gzip of
// lookup tables into the core. None of them is on a hot path (bucket indices come from the
// core's own table in assembly/bucket_index.ts), so the library is told to use its compact
// forms while Binaryen still optimises the code for speed (asconfig.json: shrinkLevel 0).
// docs/benchmarks.md ("The core's size") has the measurements.
export default class CompactMath {
  afterParse() {
    this.program.options.shrinkLevelHint = 1;
  }
}
