// `npm start` exactly as a person or a supervisor runs it: the npm process, with the demo as its
// child, for the restart test and for signals sent to npm's process (Ctrl-C, SIGTERM).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface DemoProcess {
  apiUrl: string;
  readKey: string;
  /** Everything printed so far. */
  output: string;
  /** Sends a signal (default SIGINT, Ctrl-C) to npm's process; resolves with its exit code and all output. */
  interrupt(signal?: NodeJS.Signals): Promise<{ code: number | null; output: string }>;
}

export function startDemoProcess(dataDir: string, timeoutMs = 60_000): Promise<DemoProcess> {
  const child = spawn('npm', ['start', '--', '--data-dir', dataDir, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b) => (output += b));
  child.stderr.on('data', (b) => (output += b));
  const exited = new Promise<{ code: number | null; output: string }>((r) => child.once('exit', (code) => r({ code, output })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const api = /API\s+(http:\/\/\S+)\/v1\/models/.exec(output)?.[1];
      const key = /read key\s+(ewr_\S+)/.exec(output)?.[1];
      if (!api || !key || !output.includes('Ctrl-C stops.')) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({
        apiUrl: api,
        readKey: key,
        get output() {
          return output;
        },
        interrupt(signal = 'SIGINT') {
          child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (code ${code}) before it was ready:\n${output}`));
    });
  });
}
