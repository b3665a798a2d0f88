// The informer against a loopback fake apiserver: one collection (ConfigMaps in namespace "test")
// served over real HTTP as kube-apiserver serves it, a LIST answered with the collection's
// resourceVersion and a WATCH as a chunked stream of JSON events, one a line. The tests assert what
// the cache and the handlers end up with and which requests the server received, never internals.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import winston from 'winston';
import { ResilientInformer, type InformerEvent } from '../../../src/runtime/informer.js';
import { makeApiClient } from '../../../src/runtime/kube-client.js';

const NAMESPACE = 'test';
const PATH = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
const log = winston.createLogger({ silent: true });

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface ApiRequest {
  verb: 'list' | 'watch';
  /** The resourceVersion a watch asked to resume from. */
  resourceVersion?: string | null;
  /** The HTTP status the server answered. */
  status: number;
  at: number;
  /** The client closed this watch while the server still held it open. */
  closedByClient?: boolean;
}

class FakeApiserver {
  readonly requests: ApiRequest[] = [];
  private readonly objects = new Map<string, V1ConfigMap>();
  private readonly history: { type: EventType; object: V1ConfigMap }[] = [];
  private readonly watches = new Set<http.ServerResponse>();
  private revision = 0;
  /** Watches from a resourceVersion below this one are too old: etcd compacted their history. */
  private compacted = 0;
  /** Statuses to answer the next watch requests with, one each. */
  private readonly failures: number[] = [];
  /** Statuses to answer the next LIST requests with, one each. */
  readonly listFailures: number[] = [];
  /** How long a LIST takes to answer. */
  listDelayMs = 0;
  private readonly server = http.createServer((req, res) => this.serve(req, res));

  /** How a watch from a compacted resourceVersion learns it: an ERROR event (watch cache) or HTTP 410. */
  expired: 'event' | 'http' = 'event';

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get openWatches(): number {
    return this.watches.size;
  }

  requestsOf(verb: ApiRequest['verb']): ApiRequest[] {
    return this.requests.filter((r) => r.verb === verb);
  }

  /** Creates or updates a ConfigMap. `unseen`: the open watches miss the event (a new watch replays it). */
  put(name: string, data: Record<string, string> = {}, { unseen = false } = {}): void {
    const type = this.objects.has(name) ? 'MODIFIED' : 'ADDED';
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NAMESPACE }, data };
    this.record(type, object, unseen);
  }

  delete(name: string, { unseen = false } = {}): void {
    const object = this.objects.get(name);
    if (!object) throw new Error(`no ConfigMap ${name}`);
    this.record('DELETED', object, unseen);
  }

  /** Drops the history up to now: a watch resuming from an earlier resourceVersion gets 410 Gone. */
  compact(): void {
    this.compacted = this.revision;
  }

  /** Ends every open watch, as kube-apiserver does at a watch's timeout. */
  endWatches(): void {
    for (const res of this.watches) res.end();
    this.watches.clear();
  }

  /** The next watch request is answered `status` with a Status body. */
  failNextWatch(status: number): void {
    this.failures.push(status);
  }

  private record(type: EventType, object: V1ConfigMap, unseen: boolean): void {
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.revision) } };
    if (type === 'DELETED') this.objects.delete(stored.metadata.name as string);
    else this.objects.set(stored.metadata.name as string, stored);
    const event = { type, object: stored };
    this.history.push(event);
    if (!unseen) for (const res of this.watches) res.write(`${JSON.stringify(event)}\n`);
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://apiserver');
    if (req.method !== 'GET' || url.pathname !== PATH) {
      this.status(res, 404, 'NotFound');
      return;
    }
    if (url.searchParams.get('watch') !== 'true') {
      const failure = this.listFailures.shift();
      this.requests.push({ verb: 'list', status: failure ?? 200, at: Date.now() });
      if (failure) {
        this.status(res, failure, 'InternalError');
        return;
      }
      const list = JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMapList',
        metadata: { resourceVersion: String(this.revision) },
        items: [...this.objects.values()],
      });
      setTimeout(() => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(list);
      }, this.listDelayMs);
      return;
    }
    const resourceVersion = url.searchParams.get('resourceVersion');
    const from = Number(resourceVersion || this.revision);
    const failure = this.failures.shift();
    const expired = from < this.compacted;
    const status = failure ?? (expired && this.expired === 'http' ? 410 : 200);
    const request: ApiRequest = { verb: 'watch', resourceVersion, status, at: Date.now() };
    this.requests.push(request);
    if (status !== 200) {
      this.status(res, status, status === 410 ? 'Expired' : 'InternalError');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // kube-apiserver sends the headers at once: the client's watch call returns before any event.
    res.flushHeaders();
    if (expired) {
      // kube-apiserver's answer to a watch from a compacted revision: one ERROR event, then the end.
      const gone = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 };
      res.end(`${JSON.stringify({ type: 'ERROR', object: { ...gone, message: 'too old resource version' } })}\n`);
      return;
    }
    for (const event of this.history.slice(from)) res.write(`${JSON.stringify(event)}\n`);
    this.watches.add(res);
    res.on('close', () => {
      if (this.watches.delete(res)) request.closedByClient = true;
    });
  }

  private status(res: http.ServerResponse, code: number, reason: string): void {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message: reason }));
  }
}

/** Polls `condition` every 10 ms until it holds; fails naming `what` after `deadlineMs`. */
async function until(what: string, condition: () => boolean, deadlineMs = 3000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let server: FakeApiserver;
let informer: ResilientInformer<V1ConfigMap> | undefined;
/** What the handlers saw, as "add a", "delete b". */
let events: string[];
let restarts: string[];

async function startInformer(options: { watchdogMs?: number; minBackoffMs?: number; maxBackoffMs?: number }) {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: await server.listen(), skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const core = makeApiClient(kc, CoreV1Api);
  informer = new ResilientInformer<V1ConfigMap>({
    name: 'configmaps',
    kubeConfig: kc,
    path: PATH,
    list: () => core.listNamespacedConfigMap({ namespace: NAMESPACE }),
    log,
    observer: { restarted: (_name, reason) => restarts.push(reason) },
    ...options,
  });
  informer.onEvent((event: InformerEvent, object) => events.push(`${event} ${object.metadata?.name}`));
  await informer.start();
  return informer;
}

const cached = (i: ResilientInformer<V1ConfigMap>) =>
  i
    .list()
    .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
    .sort();

beforeEach(() => {
  server = new FakeApiserver();
  informer = undefined;
  events = [];
  restarts = [];
});

afterEach(async () => {
  await informer?.stop();
  await server.close();
});

describe.each([
  ['an ERROR event with code 410', 'event'],
  ['an HTTP 410', 'http'],
] as const)('when a watch resumes from a compacted resourceVersion and gets %s', (_name, expired) => {
  test('the informer lists again at once and its cache matches the new state', async () => {
    server.expired = expired;
    server.put('a');
    server.put('b');
    // A backoff this long would fail the test: 410 is not an error to back off from, but a relist.
    const i = await startInformer({ minBackoffMs: 10_000, maxBackoffMs: 10_000 });
    expect(cached(i)).toEqual(['a@1', 'b@2']);
    await until('the informer watches', () => server.openWatches === 1);

    // Changes the open watch never delivers, then the history is compacted and the watch ends.
    server.delete('b', { unseen: true });
    server.put('c', {}, { unseen: true });
    server.put('a', { changed: 'yes' }, { unseen: true });
    server.compact();
    server.endWatches();

    await until('the cache holds the new state', () => cached(i).join() === 'a@5,c@4');
    expect(i.get('a', NAMESPACE)?.data).toEqual({ changed: 'yes' });
    expect(i.get('b', NAMESPACE)).toBeUndefined();
    expect(events).toEqual(['add a', 'add b', 'delete b', 'update a', 'add c']);
    await until('the informer watches again', () => server.openWatches === 1);
    expect(server.requests.map(({ verb, resourceVersion, status }) => ({ verb, resourceVersion, status }))).toEqual([
      { verb: 'list', status: 200 },
      { verb: 'watch', resourceVersion: '2', status: 200 },
      { verb: 'watch', resourceVersion: '2', status: expired === 'http' ? 410 : 200 },
      { verb: 'list', status: 200 },
      { verb: 'watch', resourceVersion: '5', status: 200 },
    ]);
    expect(restarts).toEqual([]);
  });
});

test('after a watch answered 500 the informer watches again after its backoff, from the last resourceVersion, without a LIST', async () => {
  server.put('a');
  const i = await startInformer({ minBackoffMs: 200, maxBackoffMs: 200 });
  await until('the informer watches', () => server.openWatches === 1);
  server.put('b');
  await until('the watch delivered b', () => cached(i).join() === 'a@1,b@2');

  server.failNextWatch(500);
  server.endWatches();
  // Made while the informer has no watch: the resumed watch must replay it from resourceVersion 2.
  server.put('c');

  await until('the cache holds c', () => cached(i).join() === 'a@1,b@2,c@3');
  expect(server.requests.map(({ verb, resourceVersion, status }) => ({ verb, resourceVersion, status }))).toEqual([
    { verb: 'list', status: 200 },
    { verb: 'watch', resourceVersion: '1', status: 200 },
    { verb: 'watch', resourceVersion: '2', status: 500 },
    { verb: 'watch', resourceVersion: '2', status: 200 },
  ]);
  const [, , failed, resumed] = server.requests;
  // The delay is jittered between half and all of the 200 ms backoff.
  expect((resumed as ApiRequest).at - (failed as ApiRequest).at).toBeGreaterThanOrEqual(100 - 5);
  expect(restarts).toEqual(['error']);
  expect(events).toEqual(['add a', 'add b', 'add c']);
});

test('a watch that stays open but silent beyond the watchdog period is restarted from its resourceVersion', async () => {
  server.put('a');
  const watchdogMs = 200;
  const i = await startInformer({ watchdogMs });
  await until('the watchdog restarted the watch', () => server.requestsOf('watch').length === 2);

  const [first, second] = server.requestsOf('watch') as [ApiRequest, ApiRequest];
  expect(first.closedByClient).toBe(true);
  expect(second.at - first.at).toBeGreaterThanOrEqual(watchdogMs);
  expect(second.resourceVersion).toBe(first.resourceVersion);
  expect(server.requestsOf('list')).toHaveLength(1);
  expect(restarts).toEqual(['watchdog']);

  // The new watch works.
  await until('the new watch is open', () => server.openWatches === 1);
  server.put('b');
  await until('the watch delivered b', () => cached(i).join() === 'a@1,b@2');
  expect(events).toEqual(['add a', 'add b']);
});

test('start() resolves only once the cache holds a list, even when the first LIST fails', async () => {
  server.put('a');
  server.listFailures.push(500);
  const i = await startInformer({ minBackoffMs: 200, maxBackoffMs: 200 });
  expect(cached(i)).toEqual(['a@1']);
  expect(server.requestsOf('list').map((r) => r.status)).toEqual([500, 200]);
  expect(restarts).toEqual(['error']);
});

test('stop() during a LIST leaves no watch behind', async () => {
  server.put('a');
  server.listFailures.push(500);
  // The restart's LIST is slow; stop() comes while it is in flight.
  server.listDelayMs = 300;
  const started = startInformer({ minBackoffMs: 50, maxBackoffMs: 50 });
  await until('the restart lists again', () => server.requestsOf('list').length === 2);
  await (informer as ResilientInformer<V1ConfigMap>).stop();
  await started;
  // Long enough for the LIST to answer and for a watch it would start to reach the server.
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(server.openWatches).toBe(0);
});
