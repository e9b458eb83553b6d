// Row counts that must agree within one device window. Columns of an upload do not all count the
// same rows — the edge runtime records health per call, feedback per label, an image's channels
// per pixel, next to inputs per row — but the columns the runtime records from one tensor in one
// pass do. Those families are read from the names the runtime gives (src/core/columns.ts, which
// parseColumn reads the same way; src/edge/schema.ts names the inputs):
//
//   <input>.<j>                        the features of one table input (recorded as one table)
//   <input>.channel<c>                 the channels of one image input (every value of a plane)
//   <out>.predicted, <out>.confidence, <out>.score.<class>      one classifier output, per row
//   feedback.<out>.confusion, feedback.<out>.calibration.all    one row per label given
//   feedback.<out>.score.<class>.label.<label>                  the rows labelled <label>
//
// A column's count is its rows, present and missing. Noisy columns (the private mode) are left
// out: the noise on every count is what protects them. Columns in no family are not compared:
// an app's own feature names say nothing of the tensor they came from.
import { Column } from './column';
import { labelText } from './errors';
import { Profile } from './profile';

const HEALTH_PREFIX = 'health.';
const FEEDBACK = 'feedback.';
const PREDICTED = '.predicted';
const CONFIDENCE = '.confidence';
const SCORE = '.score.';
const LABEL = '.label.';

function allDigits(s: string, from: i32): bool {
  if (from >= s.length) return false;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** The `<out>` of a `<out>.score.<x>` name (both non-empty), or "". */
function scoreOwner(name: string): string {
  const i = name.indexOf(SCORE, 1);
  return i > 0 && i + SCORE.length < name.length ? name.substring(0, i) : '';
}

/** The feedback family of `rest` (a name after "feedback."), or "" when it is none. */
function feedbackFamily(rest: string): string {
  if (rest.endsWith('.confusion') && rest.length > 10) return 'the labels of output ' + rest.substring(0, rest.length - 10);
  const all = '.calibration.all';
  if (rest.endsWith(all) && rest.length > all.length) return 'the labels of output ' + rest.substring(0, rest.length - all.length);
  if (rest.endsWith('.calibration.correct')) return '';
  const i = rest.indexOf(SCORE, 1);
  if (i <= 0) return '';
  const j = rest.lastIndexOf(LABEL, rest.length - LABEL.length - 1);
  if (j <= i + SCORE.length) return '';
  return 'the rows of output ' + rest.substring(0, i) + ' labelled ' + rest.substring(j + LABEL.length);
}

/** The family `name` belongs to, described for the error message, or "" for none. */
function familyOf(name: string, outputs: Set<string>): string {
  if (name.startsWith(HEALTH_PREFIX)) return '';
  if (name.startsWith(FEEDBACK)) {
    const f = feedbackFamily(name.substring(FEEDBACK.length));
    if (f.length > 0) return f;
  }
  if (name.endsWith(PREDICTED) && name.length > PREDICTED.length) return 'output ' + name.substring(0, name.length - PREDICTED.length);
  if (name.endsWith(CONFIDENCE) && name.length > CONFIDENCE.length) {
    const out = name.substring(0, name.length - CONFIDENCE.length);
    if (outputs.has(out)) return 'output ' + out;
  }
  const owner = scoreOwner(name);
  if (owner.length > 0 && outputs.has(owner)) return 'output ' + owner;
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return '';
  const channel = '.channel';
  const c = name.lastIndexOf(channel);
  if (c > 0 && c == dot && allDigits(name, c + channel.length)) return 'the channels of input ' + name.substring(0, c);
  if (allDigits(name, dot + 1)) return 'the features of input ' + name.substring(0, dot);
  return '';
}

/** Why the upload's columns disagree on a family's row count, or null. */
export function rowCountProblem(p: Profile): string | null {
  const names = new Array<string>(p.columns.length);
  const outputs = new Set<string>();
  for (let i = 0; i < p.columns.length; i++) {
    const n = labelText(p.columns[i].name);
    names[i] = n;
    if (n.endsWith(PREDICTED) && n.length > PREDICTED.length) outputs.add(n.substring(0, n.length - PREDICTED.length));
  }
  const first = new Map<string, i32>();
  for (let i = 0; i < p.columns.length; i++) {
    const c: Column = p.columns[i];
    if (c.noisy) continue;
    const family = familyOf(names[i], outputs);
    if (family.length == 0) continue;
    if (!first.has(family)) {
      first.set(family, i);
      continue;
    }
    const f = first.get(family);
    const want = p.columns[f].counters.count;
    if (c.counters.count != want) {
      return (
        "column '" + names[i] + "' counts " + c.counters.count.toString() + " rows, '" + names[f] + "' " + want.toString() +
        ': columns of ' + family + ' count the same rows'
      );
    }
  }
  return null;
}
