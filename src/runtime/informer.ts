import {
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from 'winston';
import { errorMessage } from './reconcile.js';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerObserver {
  /** The informer's watch was started again; reason: error or watchdog. */
  restarted?(informer: string, reason: 'error' | 'watchdog'): void;
}

export interface ResilientInformerOptions<T extends KubernetesObject> {
  /** For logs and metrics, e.g. "switchbenchmarks". */
  name: string;
  kubeConfig: KubeConfig;
  /** Collection path, e.g. /apis/switchbench.io/v1alpha1/switchbenchmarks. */
  path: string;
  /** The list call; must apply the same selectors as the watch (client-node applies them only to the watch). */
  list: ListPromise<T>;
  labelSelector?: string;
  log: Logger;
  observer?: InformerObserver;
  /** Restart the watch when no event arrived for this long: client-node 1.4 can hang a watch silently. */
  watchdogMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Applied to every object before it enters the cache (controller-runtime's cache transform). */
  transform?: (object: T) => T;
}

/** Drops metadata.managedFields, which the operator never reads and which can double an object's size. */
export function stripManagedFields<T extends KubernetesObject>(object: T): T {
  if (object.metadata?.managedFields) delete object.metadata.managedFields;
  return object;
}

/** A Watch that hands every object through `transform` before the ListWatch stores it. */
class TransformingWatch<T extends KubernetesObject> extends Watch {
  constructor(
    config: KubeConfig,
    private readonly transform: (object: T) => T,
  ) {
    super(config);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: T, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, object: T, raw) =>
        callback(phase, phase === 'ERROR' || phase === 'BOOKMARK' ? object : this.transform(object), raw),
      done,
    );
  }
}

/**
 * client-node's ListWatch made to keep running: it stops for good after a non-410 error, so this
 * restarts it with jittered exponential backoff (1 s to 30 s), and a watchdog restarts a watch that
 * has been silent too long. A restart resumes from the last resourceVersion, so it costs a WATCH,
 * not a LIST. Objects from get()/list() are the cache's own: never mutate them.
 */
export class ResilientInformer<T extends KubernetesObject> implements ObjectCache<T> {
  private readonly listWatch: ListWatch<T>;
  private readonly handlers: ((event: InformerEvent, object: T) => void)[] = [];
  private stopping = false;
  /** Set while restart() stops the ListWatch on purpose: the abort it reports is no failure. */
  private restarting = false;
  private failures = 0;
  private lastEventAt = Date.now();
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  /** The cache has held a complete list since; start() waits for it. */
  private synced = false;
  private markSynced: (() => void) | undefined;

  constructor(private readonly options: ResilientInformerOptions<T>) {
    const transform = options.transform ?? ((object: T) => object);
    // Objects arrive freshly parsed from the wire, owned by no one yet: transforming them in place
    // before they enter the cache is safe, and no cached object is ever touched afterwards.
    const list: ListPromise<T> = async () => {
      const result = await options.list();
      result.items = result.items.map(transform);
      return result;
    };
    this.listWatch = new ListWatch(
      options.path,
      new TransformingWatch<T>(options.kubeConfig, transform),
      list,
      false,
      options.labelSelector,
    );
    for (const event of ['add', 'update', 'delete'] as const) {
      this.listWatch.on(event, (object) => {
        this.lastEventAt = Date.now();
        for (const handler of this.handlers) handler(event, object);
      });
    }
    this.listWatch.on('connect', () => {
      this.lastEventAt = Date.now();
    });
    this.listWatch.on('error', (err) => this.onError(err));
  }

  onEvent(handler: (event: InformerEvent, object: T) => void): void {
    this.handlers.push(handler);
  }

  /**
   * Lists, fills the cache, starts watching; resolves once the cache holds a complete list (after
   * as many restarts as that takes) or the informer is stopped.
   */
  async start(): Promise<void> {
    this.stopping = false;
    const watchdogMs = this.options.watchdogMs ?? 5 * 60_000;
    this.watchdogTimer = setInterval(
      () => {
        if (Date.now() - this.lastEventAt > watchdogMs) void this.restart('watchdog');
      },
      Math.max(1000, watchdogMs / 4),
    );
    this.watchdogTimer.unref();
    await this.startListWatch();
    // client-node reports a failed first LIST as an error and returns: the cache is empty until a
    // restart lists again, and nobody may read an empty cache as the cluster's state.
    if (!this.synced && !this.stopping) await new Promise<void>((resolve) => (this.markSynced = resolve));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchdogTimer);
    clearTimeout(this.restartTimer);
    this.markSynced?.();
    await this.listWatch.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace);
  }

  list(namespace?: string): ReadonlyArray<T> {
    return this.listWatch.list(namespace);
  }

  private onError(err: unknown): void {
    if (this.stopping || this.restarting || (err instanceof Error && err.name === 'AbortError')) return;
    const min = this.options.minBackoffMs ?? 1000;
    const max = this.options.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, min * 2 ** this.failures) * (0.5 + Math.random() / 2);
    this.failures++;
    this.options.log.warn('Informer watch failed, restarting', {
      informer: this.options.name,
      error: errorMessage(err),
      delayMs: Math.round(delay),
    });
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.restart('error'), delay);
    this.restartTimer.unref();
  }

  private async restart(reason: 'error' | 'watchdog'): Promise<void> {
    if (this.stopping) return;
    this.lastEventAt = Date.now();
    this.options.observer?.restarted?.(this.options.name, reason);
    // ListWatch.stop() reports the aborted request as an error: mute it while we restart on purpose.
    this.restarting = true;
    await this.listWatch.stop();
    this.restarting = false;
    const failuresBefore = this.failures;
    await this.startListWatch();
    if (this.failures === failuresBefore) this.failures = 0;
  }

  private async startListWatch(): Promise<void> {
    await this.listWatch.start();
    // client-node looks for stop() only before its LIST: one that came during it left a watch open.
    if (this.stopping) {
      await this.listWatch.stop();
      return;
    }
    if (!this.synced && this.listWatch.latestResourceVersion()) {
      this.synced = true;
      this.markSynced?.();
    }
  }
}
