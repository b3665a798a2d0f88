import { ApiException } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'winston';
import type { WorkQueue } from './workqueue.js';

/** A failure that retrying cannot fix (e.g. an invalid spec): reported once, never retried. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

export interface ReconcileResult {
  /** Reconcile the key again after this long even if nothing changes (polling a deadline). */
  requeueAfterMs?: number;
}

/** What the runtime hands each reconcile, as controller-runtime puts it in the context. */
export interface ReconcileContext {
  /** Fresh for every reconcile, so the lines of one reconcile can be told from a concurrent one's. */
  reconcileID: string;
  /** The workers' logger with `reconcileID` (and the controller's name the caller gave) on every line. */
  log: Logger;
}

export type Reconciler = (key: string, context: ReconcileContext) => Promise<ReconcileResult>;

export type ReconcileOutcome = 'success' | 'requeue_after' | 'error' | 'terminal_error';

export interface ReconcileObserver {
  reconciled?(outcome: ReconcileOutcome, seconds: number): void;
}

/**
 * Runs `workers` loops taking keys off the queue until it shuts down, following controller-runtime's
 * reconcileHandler: an error requeues with backoff, a requeue-after schedules the key and resets its
 * backoff, success resets the backoff. Resolves when every loop has finished its last key.
 */
export async function runWorkers(
  queue: WorkQueue,
  reconcile: Reconciler,
  options: { workers: number; log: Logger; observer?: ReconcileObserver },
): Promise<void> {
  const loop = async (): Promise<void> => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      const started = performance.now();
      const outcome = await reconcileOne(queue, reconcile, key, options.log);
      options.observer?.reconciled?.(outcome, (performance.now() - started) / 1000);
      queue.done(key);
    }
  };
  await Promise.all(Array.from({ length: options.workers }, loop));
}

async function reconcileOne(
  queue: WorkQueue,
  reconcile: Reconciler,
  key: string,
  workersLog: Logger,
): Promise<ReconcileOutcome> {
  const reconcileID = randomUUID();
  const log = workersLog.child({ reconcileID });
  try {
    const result = await reconcile(key, { reconcileID, log });
    queue.forget(key);
    if (result.requeueAfterMs !== undefined) {
      queue.addAfter(key, result.requeueAfterMs);
      return 'requeue_after';
    }
    return 'success';
  } catch (err) {
    if (err instanceof TerminalError) {
      queue.forget(key);
      log.error('Reconcile failed terminally', { key, error: err.message });
      return 'terminal_error';
    }
    // A conflict means the cache was behind a write of our own: routine, retried once the cache catches up.
    const conflict = err instanceof ApiException && err.code === 409;
    log.log(conflict ? 'debug' : 'warn', 'Reconcile failed, will retry', {
      key,
      retries: queue.retries(key),
      error: errorMessage(err),
    });
    queue.addRateLimited(key);
    return 'error';
  }
}

/** One line: for an API error its code and the apiserver's own message, not the whole HTTP exchange. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as { message?: string };
      if (body?.message) return `${err.code}: ${body.message}`;
    } catch {
      // not a Status object: fall through to the generic message
    }
    return `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}
