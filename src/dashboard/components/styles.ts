// Styles every view shares: type, tables, badges, cards, and the phone-width layout.
import { css } from 'lit';

export const shared = css`
  :host {
    display: block;
    color: #1d2433;
    font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
  }
  h1 { font-size: 1.35rem; margin: 0 0 0.25rem; }
  h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
  h1:focus { outline: none; }
  a { color: #1f5fbf; }
  a:focus-visible, button:focus-visible, select:focus-visible, input:focus-visible {
    outline: 3px solid #f2a900;
    outline-offset: 2px;
  }
  .sub { color: #5a6475; margin: 0 0 1rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr)); gap: 1rem; }
  section.card {
    background: #fff;
    border: 1px solid #dde2ea;
    border-radius: 8px;
    padding: 0.9rem 1rem;
    margin-bottom: 1rem;
    min-width: 0;
  }
  .table-wrap { overflow-x: auto; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  caption { text-align: left; font-weight: 600; padding-bottom: 0.4rem; }
  th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #edf0f4; white-space: nowrap; }
  th { font-weight: 600; color: #4a5468; font-size: 0.85rem; }
  td.n, th.n { text-align: right; }
  tr.drifted td { background: #fff4ec; }
  .badge {
    display: inline-block;
    border-radius: 999px;
    padding: 0.05rem 0.6rem;
    font-size: 0.8rem;
    font-weight: 600;
    border: 1px solid transparent;
  }
  .badge.healthy { background: #e3f5ea; color: #17693b; border-color: #b6e2c6; }
  .badge.drifting { background: #fff0e0; color: #9a4a00; border-color: #f6c896; }
  .badge.stale, .badge.no_data { background: #eef0f4; color: #4a5468; border-color: #cfd5df; }
  .badge.failing, .badge.firing { background: #fde8e8; color: #a31f24; border-color: #f3b4b6; }
  .badge.unknown, .badge.resolved { background: #f3f4f6; color: #5a6475; border-color: #dde2ea; }
  .badge.pending { background: #fff8db; color: #7a5b00; border-color: #f0dc8a; }
  .badge.yes { background: #fff0e0; color: #9a4a00; }
  .badge.no { background: #e3f5ea; color: #17693b; }
  .stats { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 0 0 1rem; padding: 0; list-style: none; }
  .stats li { display: flex; flex-direction: column; }
  .stats .k { font-size: 0.8rem; color: #5a6475; }
  .stats .v { font-size: 1.15rem; font-weight: 600; font-variant-numeric: tabular-nums; }
  .note { color: #5a6475; font-size: 0.85rem; margin: 0.4rem 0 0; }
  .absent { color: #5a6475; font-style: italic; }
  td.wrap { white-space: normal; }
  td.bad { color: #a31f24; font-weight: 600; }
  tr.group th { background: #f4f6f9; color: #1d2433; font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.04em; }
  details.uncompared { margin-top: 1rem; }
  details.uncompared summary { cursor: pointer; color: #4a5468; }
  .actions { display: flex; flex-wrap: wrap; gap: 0.5rem 0.8rem; align-items: center; margin-bottom: 0.5rem; }
  .actions input, .actions select, .actions button { font: inherit; padding: 0.25rem 0.5rem; }
  ol.timeline { margin: 0; padding-left: 1.2rem; }
  ol.timeline time { color: #5a6475; font-variant-numeric: tabular-nums; }
  .sr-only {
    position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
    overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;
  }
  @media (max-width: 640px) {
    /* Lists of incidents and alerts become one card per row, each cell labelled: nothing is cut off. */
    table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0, 0, 0, 0); }
    table.stack tr { display: block; border-bottom: 1px solid #dde2ea; padding: 0.4rem 0; }
    table.stack td { display: flex; gap: 0.6rem; border: 0; padding: 0.1rem 0.2rem; white-space: normal; text-align: left; }
    table.stack td::before { content: attr(data-label); flex: 0 0 6.5rem; color: #5a6475; font-size: 0.8rem; }
    :host { font-size: 14px; }
    section.card { padding: 0.7rem; border-radius: 6px; }
    th, td { padding: 0.3rem 0.4rem; }
  }
`;
