// <ew-schema-changes>: the columns the baseline has and the range lacks, and the columns whose
// kind changed (numeric on one side, categorical on the other). The core reports them beside
// drift; a column that is gone or changed kind is not compared, so without this it would simply
// drop out of the drift table. Renders nothing when the schema matches.
import { css, html, LitElement, nothing } from 'lit';
import type { SchemaChanges } from 'edgewatch/read-api';

export class EwSchemaChanges extends LitElement {
  static override properties = { schema: { attribute: false } };
  declare schema: SchemaChanges | undefined;

  static override styles = css`
    :host { display: block; }
    div { margin: 0.6rem 0; padding: 0.6rem 0.9rem; border-radius: 6px; background: #fff4e0; border: 1px solid #f0c97a; color: #5c3d00; }
    h3 { margin: 0 0 0.3rem; font-size: 0.95rem; }
    ul { margin: 0; padding-left: 1.2rem; }
    code { font-size: 0.9em; }
  `;

  override render() {
    const s = this.schema;
    if (!s || s.missing.length + s.changed.length === 0) return nothing;
    return html`<div role="status" data-schema-changes>
      <h3>Schema changed against the baseline</h3>
      <ul>
        ${s.missing.map((name) => html`<li data-missing=${name}><code>${name}</code> is missing: the baseline has it, this range does not</li>`)}
        ${s.changed.map(
          (c) =>
            html`<li data-changed=${c.name}><code>${c.name}</code> changed kind: ${c.baseline} in the baseline, ${c.current} here (not compared)</li>`,
        )}
      </ul>
    </div>`;
  }
}

customElements.define('ew-schema-changes', EwSchemaChanges);
