// A port of client-go's rate-limited work queue, as sample-controller uses it: a key waiting in the
// queue is held once however often it is added (dedup); a key being processed is never handed out
// again until done() (no concurrent reconciles of one object); a key added while processing is
// queued again at done(); failures back off exponentially per key and reset on forget().

export interface QueueObserver {
  added?(key: string): void;
  retried?(key: string): void;
  /** Seconds the key waited in the queue before a worker took it. */
  dequeued?(key: string, waitedSeconds: number): void;
  depthChanged?(depth: number): void;
}

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** client-go's defaults for controllers: 5 ms doubling up to 1000 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 5, maxDelayMs: 1_000_000 };

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly enqueuedAt = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;

  constructor(
    private readonly backoff: BackoffOptions = DEFAULT_BACKOFF,
    private readonly observer: QueueObserver = {},
    private readonly now: () => number = () => performance.now(),
  ) {}

  get length(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.observer.added?.(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds the key after a delay; of several pending delays for one key the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Requeues a failed key after its backoff, which doubles with each failure until forget(). */
  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.observer.retried?.(key);
    this.addAfter(key, Math.min(this.backoff.baseDelayMs * 2 ** failures, this.backoff.maxDelayMs));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key, or undefined once the queue is shut down and drained. */
  async get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return this.take(key);
    if (this.shuttingDown) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private push(key: string): void {
    this.enqueuedAt.set(key, this.now());
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.take(key));
      return;
    }
    this.queue.push(key);
    this.observer.depthChanged?.(this.queue.length);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    const since = this.enqueuedAt.get(key);
    this.enqueuedAt.delete(key);
    if (since !== undefined) this.observer.dequeued?.(key, (this.now() - since) / 1000);
    this.observer.depthChanged?.(this.queue.length);
    return key;
  }
}
