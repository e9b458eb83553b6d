// A plain static file server on loopback, as a web host would serve an app's files: the usual
// content types (application/wasm for .wasm), 404 for anything missing, and a log of what was
// asked and answered, so a test can see which files the page loaded and how they were typed.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
};

export interface Served {
  path: string;
  status: number;
  type: string | undefined;
}

export interface StaticServer {
  url: string;
  served: Served[];
  close(): Promise<void>;
}

export async function serveStatic(root: string, port = 0): Promise<StaticServer> {
  const served: Served[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) file = '';
    if (file && statSync(file, { throwIfNoEntry: false })?.isDirectory()) file = join(file, 'index.html');
    const stat = file ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!stat?.isFile()) {
      served.push({ path, status: 404, type: undefined });
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    served.push({ path, status: 200, type });
    res.writeHead(200, { 'content-type': type, 'content-length': stat.size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
