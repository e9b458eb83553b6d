// A thin client of the collector's read API: every request carries the read key as a bearer
// token; every failure becomes an ApiError with a sentence a person can act on. What each route
// answers is typed by edgewatch/read-api, from the schemas the collector serializes with.
import type {
  AlertsResponse,
  CanaryReport,
  DriftResponse,
  IncidentAction,
  IncidentActed,
  IncidentDetail,
  IncidentFilter,
  IncidentsResponse,
  ModelsResponse,
  PerformanceResponse,
  ProfileResponse,
  RulesResponse,
  SegmentRankingResponse,
  SegmentsResponse,
  SlosResponse,
  SummariesResponse,
  VersionMetadata,
} from 'edgewatch/read-api';

export interface Range {
  from: number;
  to: number;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status, 0 when the collector could not be reached. */
    readonly status: number,
    readonly reason: string,
  ) {
    super(message);
  }
}

export class CollectorClient {
  readonly baseUrl: string;
  constructor(
    baseUrl: string,
    private readonly key: string,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  get<T>(path: string, query: Record<string, string | number | undefined> = {}, signal?: AbortSignal): Promise<T> {
    return this.#send<T>('GET', path, query, undefined, signal);
  }

  /** A POST with a JSON body (the incident actions), answered like a GET. */
  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.#send<T>('POST', path, {}, body, signal);
  }

  /** A route that answers text (the postmortem draft). */
  async text(path: string, signal?: AbortSignal): Promise<string> {
    const res = await fetch(this.baseUrl + path, { headers: { authorization: `Bearer ${this.key}` }, signal });
    if (!res.ok) throw new ApiError(`the collector answered ${path} with ${res.status}`, res.status, 'http');
    return res.text();
  }

  async #send<T>(
    method: string,
    path: string,
    query: Record<string, string | number | undefined>,
    json: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    let res: Response;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
      if (json !== undefined) headers['content-type'] = 'application/json';
      res = await fetch(url, { method, headers, body: json === undefined ? undefined : JSON.stringify(json), signal });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(`cannot reach the collector at ${this.baseUrl} (${(err as Error).message})`, 0, 'network');
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ApiError(`the collector answered ${path} with ${res.status} and no JSON`, res.status, 'response');
    }
    if (!res.ok) {
      const b = body as { error?: string; reason?: string };
      const message = res.status === 401 ? `the read key was refused: ${b.error ?? 'unauthorized'}` : (b.error ?? `HTTP ${res.status}`);
      throw new ApiError(message, res.status, b.reason ?? 'http');
    }
    return body as T;
  }

  models(signal?: AbortSignal) {
    return this.get<ModelsResponse>('/v1/models', {}, signal);
  }

  profile(model: string, version: string, range: Range, segment?: Record<string, string>, signal?: AbortSignal) {
    return this.get<ProfileResponse>(`${versionPath(model, version)}/profile`, { ...range, segment: segmentParam(segment) }, signal);
  }

  /** Accuracy, precision/recall, ROC AUC and calibration per output, from feedback columns. */
  performance(model: string, version: string, range: Range, segment?: Record<string, string>, signal?: AbortSignal) {
    return this.get<PerformanceResponse>(
      `${versionPath(model, version)}/performance`,
      { ...range, segment: segmentParam(segment) },
      signal,
    );
  }

  /** Drift per step; with `step` equal to the range, one point covering all of it. */
  drift(model: string, version: string, range: Range, step: number, segment?: Record<string, string>, signal?: AbortSignal) {
    return this.get<DriftResponse>(`${versionPath(model, version)}/drift`, { ...range, step, segment: segmentParam(segment) }, signal);
  }

  /** Summaries (and quantiles of numeric columns) of chosen columns per step; no baseline needed. */
  summaries(
    model: string,
    version: string,
    range: Range,
    step: number,
    columns: string[],
    segment?: Record<string, string>,
    signal?: AbortSignal,
  ) {
    return this.get<SummariesResponse>(
      `${versionPath(model, version)}/summaries`,
      { ...range, step, columns: columns.join(','), segment: segmentParam(segment) },
      signal,
    );
  }

  segments(model: string, version: string, range: Range, signal?: AbortSignal) {
    return this.get<SegmentsResponse>(`${versionPath(model, version)}/segments`, { ...range }, signal);
  }

  alerts(state: 'open' | 'pending' | 'firing' | 'resolved' | 'all' = 'open', signal?: AbortSignal) {
    return this.get<AlertsResponse>('/v1/alerts', { state }, signal);
  }

  rules(signal?: AbortSignal) {
    return this.get<RulesResponse>('/v1/alerts/rules', {}, signal);
  }

  /** Segments of k devices ranked by their contribution to a column's drift. */
  segmentRanking(model: string, version: string, range: Range, column: string, signal?: AbortSignal) {
    return this.get<SegmentRankingResponse>(`${versionPath(model, version)}/segments/ranking`, { ...range, column }, signal);
  }

  slos(signal?: AbortSignal) {
    return this.get<SlosResponse>('/v1/slos', {}, signal);
  }

  incidents(state: IncidentFilter = 'active', signal?: AbortSignal) {
    return this.get<IncidentsResponse>('/v1/incidents', { state }, signal);
  }

  incident(id: number, signal?: AbortSignal) {
    return this.get<IncidentDetail>(`/v1/incidents/${id}`, {}, signal);
  }

  /** acknowledge | silence | snooze | decide, by someone, with an expiry span (`for`) or a decision. */
  act(id: number, action: IncidentAction, body: { by: string; for?: string; note?: string; decision?: string }) {
    return this.post<IncidentActed>(`/v1/incidents/${id}/${action}`, body);
  }

  /** The self-contained HTML drift report of a range (and segment). */
  driftReport(model: string, version: string, range: Range, segment?: Record<string, string>) {
    const q = new URLSearchParams({ from: String(range.from), to: String(range.to) });
    const seg = segmentParam(segment);
    if (seg) q.set('segment', seg);
    return this.text(`${versionPath(model, version)}/report?${q}`);
  }

  /** Owner, criticality, training snapshot, feature schema version and rollback target. */
  metadata(model: string, version: string, signal?: AbortSignal) {
    return this.get<Required<VersionMetadata>>(`${versionPath(model, version)}/metadata`, {}, signal);
  }

  /** The version against `against` (default: its rollback target) over one range, with a verdict. */
  canary(model: string, version: string, against: string, range: Range, segment?: Record<string, string>, signal?: AbortSignal) {
    return this.get<CanaryReport>(`${versionPath(model, version)}/canary`, { ...range, against, segment: segmentParam(segment) }, signal);
  }

  postmortem(id: number) {
    return this.text(`/v1/incidents/${id}/postmortem`);
  }
}

function versionPath(model: string, version: string): string {
  return `/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}`;
}

function segmentParam(segment?: Record<string, string>): string | undefined {
  return segment && Object.keys(segment).length ? JSON.stringify(segment) : undefined;
}
