// <ew-fleet-view>: every model version of the project with its status, devices, freshness,
// drifted columns and firing alerts — the first screen, where on-call decides where to look.
import { html, type TemplateResult } from 'lit';
import type { CollectorClient } from '../api/client.ts';
import { ApiError } from '../api/client.ts';
import type { Alert, AlertRule, DriftPoint, ModelVersion, ProfileResponse } from 'edgewatch/read-api';
import { ago, count, time } from '../format.ts';
import { linkTo, type RouteState } from '../state/route.ts';
import { alertsOf, isDriftAlert, statusOf, type Status, type StatusVerdict } from '../state/status.ts';
import { resolveRange, wholeRange } from '../state/time-range.ts';
import { CollectorView } from './collector-view.ts';
import { shared } from './styles.ts';

interface FleetRow {
  version: ModelVersion;
  profile?: ProfileResponse;
  drift?: DriftPoint;
  /** The window the drift figure covers: a firing drift alert's evaluated window, else the range. */
  driftWindow: { from: number; to: number; ofAlert: boolean };
  firing: Alert[];
  verdict: StatusVerdict;
}

interface FleetData {
  k: number;
  rows: FleetRow[];
  now: number;
}

const ORDER: Record<Status, number> = { failing: 0, stale: 1, drifting: 2, healthy: 3, unknown: 4 };

export class EwFleetView extends CollectorView<FleetData> {
  static override styles = shared;

  protected override needsReload(prev: RouteState | undefined, next: RouteState): boolean {
    return !prev || prev.view.name !== next.view.name || JSON.stringify(prev.range) !== JSON.stringify(next.range);
  }

  protected override async fetchData(client: CollectorClient, route: RouteState, signal: AbortSignal): Promise<FleetData> {
    const now = Date.now();
    const range = resolveRange(route.range, now);
    const [models, alerts, rules] = await Promise.all([client.models(signal), client.alerts('open', signal), client.rules(signal)]);
    const rows = await Promise.all(
      models.models.map(async (version): Promise<FleetRow> => {
        let profile: ProfileResponse | undefined;
        let drift: DriftPoint | undefined;
        const firing = alertsOf(alerts.alerts, version.model, version.version).filter((a) => a.state === 'firing');
        // A firing drift alert was decided over its own window: the drift figure beside it is
        // read over that same window, so "drifting" never sits next to a count of another window.
        const alertWindow = firing.find((a) => isDriftAlert(a) && a.evidence.window)?.evidence.window;
        const driftWindow = alertWindow ? { from: alertWindow.from, to: alertWindow.to, ofAlert: true } : { ...range, ofAlert: false };
        const whole = wholeRange(driftWindow);
        if (version.devices !== null) {
          profile = await client.profile(version.model, version.version, range, undefined, signal);
          if (version.baseline && (alertWindow || !profile.suppressed)) {
            drift = await client.drift(version.model, version.version, whole.range, whole.step, undefined, signal).then(
              (d) => d.points[0],
              (err) => (err instanceof ApiError && err.status === 404 ? undefined : Promise.reject(err)),
            );
          }
        }
        const verdict = statusOf({ version, profile, drift, alerts: alerts.alerts, rules: rules.rules as AlertRule[], now });
        return { version, profile, drift, driftWindow, firing, verdict };
      }),
    );
    rows.sort(
      (a, b) =>
        ORDER[a.verdict.status] - ORDER[b.verdict.status] ||
        a.version.model.localeCompare(b.version.model) ||
        a.version.version.localeCompare(b.version.version),
    );
    return { k: models.k, rows, now };
  }

  protected override renderData(data: FleetData, route: RouteState): TemplateResult {
    const tally = (s: Status) => data.rows.filter((r) => r.verdict.status === s).length;
    return html`
      <h1 tabindex="-1">Fleet</h1>
      <p class="sub">Model versions of this project. Aggregates from fewer than ${data.k} devices are not shown.</p>
      ${
        data.rows.length === 0
          ? html`<ew-state kind="empty" message="No model has reported yet. Devices appear here after their first upload with an ingest key."></ew-state>`
          : html`
            <ul class="stats" aria-label="Status summary">
              ${(['failing', 'stale', 'drifting', 'healthy', 'unknown'] as Status[]).map(
                (s) => html`<li><span class="k">${s}</span><span class="v">${tally(s)}</span></li>`,
              )}
            </ul>
            <section class="card">
              <div class="table-wrap">
                <table>
                  <caption>Model versions, most urgent first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Model</th>
                      <th scope="col">Status</th>
                      <th scope="col" class="n">Devices</th>
                      <th scope="col" class="n">Rows in range</th>
                      <th scope="col">Last upload</th>
                      <th scope="col" class="n">Drifted columns</th>
                      <th scope="col" class="n">Alerts firing</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${data.rows.map((r) => this.#row(r, route, data.now))}
                  </tbody>
                </table>
              </div>
            </section>
          `
      }
    `;
  }

  #row(r: FleetRow, route: RouteState, now: number) {
    const v = r.version;
    const href = linkTo(route, { name: 'model', model: v.model, version: v.version });
    const drift =
      r.drift && !r.drift.suppressed
        ? html`${r.drift.driftedColumns} of ${r.drift.comparedColumns}${
            r.driftWindow.ofAlert
              ? html`<span class="note" style="display:block" data-window="alert">over the alert's window ${clock(r.driftWindow.from)}–${clock(r.driftWindow.to)}</span>`
              : ''
          }`
        : v.baseline || v.devices === null
          ? '—'
          : 'no baseline';
    return html`<tr data-model=${v.model} data-version=${v.version} data-status=${r.verdict.status}>
      <td><a href=${href}>${v.model}<span aria-hidden="true">@</span><span class="sr-only"> version </span>${v.version}</a></td>
      <td>
        <span class="badge ${r.verdict.status}">${r.verdict.status}</span>
        <span class="note" style="display:block;white-space:normal">${r.verdict.reasons.join('; ')}</span>
      </td>
      <td class="n">${v.devices === null ? html`<span title="fewer than k devices">&lt; k</span>` : count(v.devices)}</td>
      <td class="n">${r.profile ? (r.profile.suppressed ? html`<span title="fewer than k devices in the range">&lt; k</span>` : count(r.profile.rows)) : '—'}</td>
      <td title=${time(v.lastUploadAt)}>${v.lastUploadAt === null ? '—' : ago(v.lastUploadAt, now)}</td>
      <td class="n">${drift}</td>
      <td class="n">
        ${
          r.firing.length
            ? html`<a href=${linkTo(route, { name: 'alerts' }, { alertFilter: 'firing' })}><span class="badge firing">${r.firing.length} firing</span></a>`
            : '0'
        }
      </td>
    </tr>`;
  }
}

/** hh:mm:ss of a window bound: alert windows end where the evaluation ran, not on a minute. */
const clock = (ms: number) => new Date(ms).toLocaleTimeString('en-GB');

customElements.define('ew-fleet-view', EwFleetView);
