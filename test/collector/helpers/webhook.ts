// A webhook receiver on a loopback port: records every request body; answers 500 to the first
// `failFirst` requests (to exercise retries), 200 after.
import { createServer } from 'node:http';

export async function webhookReceiver(failFirst = 0) {
  const received: { status: number; body: any }[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      const status = received.length < failFirst ? 500 : 200;
      received.push({ status, body: JSON.parse(data) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
