// The demo page: loads the model and the data, starts the simulated devices, wires the controls
// to the fleet's scenario, and shows the devices and what the collector reports.
import { parseWeather, type Season } from '../data/weather.ts';
import { readCanary, readCollector, type CollectorView } from './collector-panel.ts';
import { fetchBytes, loadConfig, type DemoConfig } from './config.ts';
import { Fleet } from './fleet.ts';
import { DayPools, SCENARIOS, type ScenarioKind } from './traffic.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  count: $<HTMLInputElement>('device-count'),
  start: $<HTMLButtonElement>('start'),
  stop: $<HTMLButtonElement>('stop'),
  speed: $<HTMLInputElement>('speed'),
  speedValue: $<HTMLOutputElement>('speed-value'),
  scenario: $<HTMLSelectElement>('scenario'),
  season: $<HTMLSelectElement>('season'),
  share: $<HTMLInputElement>('share'),
  shareValue: $<HTMLOutputElement>('share-value'),
  canaryShare: $<HTMLInputElement>('canary-share'),
  canaryShareValue: $<HTMLOutputElement>('canary-share-value'),
  canary: $<HTMLParagraphElement>('canary'),
  status: $<HTMLParagraphElement>('page-status'),
  devices: $<HTMLTableSectionElement>('devices').querySelector('tbody')!,
  summary: $<HTMLParagraphElement>('collector-summary'),
  range: $<HTMLElement>('collector-range'),
  drift: $<HTMLTableElement>('drift').querySelector('tbody')!,
  alerts: $<HTMLUListElement>('alerts'),
  dashboard: $<HTMLAnchorElement>('dashboard-link'),
};

const text = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function applyScenario(fleet: Fleet): void {
  fleet.scenario = {
    kind: ui.scenario.value as ScenarioKind,
    season: ui.season.value as Season,
    share: Number(ui.share.value) / 100,
  };
  fleet.speed = Number(ui.speed.value);
  ui.season.hidden = fleet.scenario.kind !== 'season';
  ui.speedValue.value = ui.speed.value;
  ui.shareValue.value = `${ui.share.value}%`;
  ui.canaryShareValue.value = `${ui.canaryShare.value}%`;
}

function renderDevices(fleet: Fleet): void {
  ui.devices.innerHTML = fleet.devices
    .map((d, i) => {
      const s = d.stats;
      const acc = Number.isNaN(s.recentAccuracy) ? '–' : `${(100 * s.recentAccuracy).toFixed(1)}%`;
      return (
        `<tr class="${fleet.affected(i) ? 'affected' : ''}"><td>${text(s.name)}</td><td>${text(s.version)}</td>` +
        `<td>${text(Object.values(s.segment).join(' · '))}</td><td>${text(s.source)}</td>` +
        `<td class="num">${s.rows}</td><td class="num">${acc}</td><td>${text(s.error ?? s.lastPrediction)}</td>` +
        `<td class="num">${s.waiting}</td><td>${text(s.storage)}</td></tr>`
      );
    })
    .join('');
}

function renderCollector(v: CollectorView): void {
  ui.range.textContent = `(last ${Math.round((v.to - v.from) / 1000)} s)`;
  if (v.suppressed) {
    ui.summary.textContent = `${v.devices} device(s) so far: below the collector's k-anonymity threshold, so it shows nothing yet.`;
  } else {
    ui.summary.innerHTML =
      `${v.devices} devices, ${v.rows} rows: <span class="${v.driftedColumns ? 'drifted' : 'ok'}" id="drift-count">` +
      `${v.driftedColumns} of ${v.columns.length} model columns drifted</span>.`;
  }
  ui.drift.innerHTML = v.columns
    .map(
      (c) =>
        `<tr><td>${text(c.column)}</td><td>${text(c.test)}</td><td class="num">${c.value?.toFixed(3)}</td>` +
        `<td class="num">${c.threshold}</td><td class="${c.drifted ? 'drifted' : 'ok'}">${c.drifted ? 'drifted' : 'ok'}</td></tr>`,
    )
    .join('');
  ui.alerts.innerHTML = v.alerts.length
    ? v.alerts
        .map(
          (a) =>
            `<li class="${text(a.state)}">${text(a.state)}: <b>${text(a.rule)}</b> (${text(a.severity)}) ${text(a.series.split('|').slice(2).join('|') || a.series)}` +
            (a.link ? ` <a href="${text(a.link)}">open</a>` : '') +
            '</li>',
        )
        .join('')
    : '<li class="muted">none</li>';
}

async function pollCollector(config: DemoConfig, fleet: Fleet): Promise<void> {
  try {
    renderCollector(await readCollector(config));
    const canaries = fleet.devices.filter((d) => d.stats.version === config.canary.version).length;
    ui.canary.hidden = canaries === 0;
    if (canaries > 0) {
      const c = await readCanary(config);
      ui.canary.innerHTML =
        `Canary ${text(config.canary.version)} on ${canaries} device(s) against ${text(c.against)}: ` +
        `<b id="canary-verdict" class="${text(c.verdict)}">${text(c.verdict)}</b> — ${text(c.reasons.join('; '))}`;
    }
  } catch (err) {
    ui.summary.textContent = `The collector's API did not answer: ${(err as Error).message}`;
  }
}

async function main(): Promise<void> {
  const config = await loadConfig();
  const [stable, canary, csv] = await Promise.all([
    fetchBytes(config.model.url),
    fetchBytes(config.canary.url),
    fetch(config.weatherCsv).then((r) => r.text()),
  ]);
  const pools = new DayPools(parseWeather(csv));
  const fleet = new Fleet(config, { stable, canary }, pools);
  document.getElementById('window-seconds')!.textContent = String(config.windowMs / 1000);
  ui.dashboard.href = config.dashboard;

  ui.scenario.innerHTML = Object.entries(SCENARIOS)
    .map(([k, label]) => `<option value="${k}">${text(label)}</option>`)
    .join('');
  for (const el of [ui.scenario, ui.season, ui.share, ui.speed, ui.canaryShare]) el.addEventListener('input', () => applyScenario(fleet));
  applyScenario(fleet);

  ui.start.addEventListener('click', async () => {
    ui.start.disabled = true;
    ui.status.textContent = 'Starting the devices…';
    try {
      await fleet.start(Math.max(1, Math.min(16, Number(ui.count.value) || 6)), Number(ui.canaryShare.value) / 100);
      ui.stop.disabled = false;
      ui.status.textContent = `${fleet.devices.length} devices running.`;
    } catch (err) {
      ui.status.textContent = `The devices could not start: ${(err as Error).message}`;
      ui.start.disabled = false;
    }
  });
  ui.stop.addEventListener('click', async () => {
    ui.stop.disabled = true;
    ui.status.textContent = 'Stopping: the devices upload their last windows…';
    await fleet.stop();
    ui.start.disabled = false;
    ui.status.textContent = 'Stopped.';
  });

  setInterval(async () => {
    await Promise.all(fleet.devices.map((d) => d.refreshStatus()));
    renderDevices(fleet);
  }, 1000);
  setInterval(() => void pollCollector(config, fleet), 2000);
  void pollCollector(config, fleet);
  ui.status.textContent = 'Ready: press Start.';
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  ui.status.textContent = `The demo could not start: ${(err as Error).message}`;
  console.error(err);
});
