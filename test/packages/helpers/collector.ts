// The collector as a platform team runs it: the installed package's `edgewatch` command in its
// own process, keys made with `edgewatch keys create` before it starts.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { exec } from './npm.ts';

export interface RunningCollector {
  url: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const edgewatchBin = (project: string): string => join(project, 'node_modules/.bin/edgewatch');

/** `edgewatch keys create …`; returns the key it printed. */
export async function createKey(project: string, dataDir: string, args: string[]): Promise<string> {
  const out = await exec(project, edgewatchBin(project), ['keys', 'create', '--data-dir', dataDir, ...args]);
  const key = /\bew[iar]_\S+/.exec(out)?.[0];
  if (!key) throw new Error(`keys create printed no key: ${out}`);
  return key;
}

export function startCollector(project: string, args: string[]): Promise<RunningCollector> {
  const child = spawn(edgewatchBin(project), ['serve', ...args], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        resolve({
          url,
          child,
          output: () => output,
          stop(signal = 'SIGTERM') {
            if (child.exitCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`edgewatch serve exited (${code}) before listening:\n${output}`)));
  });
}

/** Uploads the collector acknowledged and refused (by reason), from its own /metrics. */
export async function ingestCounts(collector: string): Promise<{ accepted: number; rejected: Record<string, number> }> {
  const text = await (await fetch(`${collector}/metrics`)).text();
  const accepted = Number(/^edgewatch_ingest_uploads_total\{result="accepted"\} (\d+)/m.exec(text)?.[1] ?? 0);
  const rejected = Object.fromEntries(
    [...text.matchAll(/^edgewatch_ingest_rejects_total\{reason="([^"]+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]),
  );
  return { accepted, rejected };
}
