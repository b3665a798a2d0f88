// /metrics, /healthz and /readyz on one port, as controller-runtime serves them: health is "the
// process answers", readiness "the caches are filled" (true on standby replicas too).
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

/** ":8080" or "127.0.0.1:8080" → host and port; "0" turns the server off (undefined). */
export function parseBindAddress(address: string): { host?: string; port: number } | undefined {
  if (address === '0') return undefined;
  const match = /^(.*):(\d{1,5})$/.exec(address);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535)
    throw new Error(
      `--metrics-bind-address: "${address}" must be [HOST]:PORT with PORT 1..65535, or 0 to turn metrics off`,
    );
  return match[1] ? { host: match[1], port } : { port };
}

export function startMetricsServer(
  registry: Registry,
  address: { host?: string; port: number },
  ready: () => boolean,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else if (path === '/healthz') res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n');
    else if (path === '/readyz') {
      const isReady = ready();
      res
        .writeHead(isReady ? 200 : 503, { 'Content-Type': 'text/plain' })
        .end(isReady ? 'ok\n' : 'caches not yet synced\n');
    } else res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve(server));
  });
}
