/**
 * Runs `task` on every item in batches that double from 1 up to `maxBatch`, as Kubernetes' ReplicaSet
 * controller creates pods (slowStartBatch): a pool of hundreds is written in parallel, and a write
 * that cannot succeed (a quota, a webhook) fails once, not hundreds of times. Stops after the first
 * batch with a failure and throws its first error; the items of earlier batches are done.
 */
export async function slowStartBatch<T>(
  items: readonly T[],
  maxBatch: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let done = 0;
  for (let size = 1; done < items.length; size = Math.min(size * 2, maxBatch)) {
    const batch = items.slice(done, done + size);
    const results = await Promise.allSettled(batch.map(task));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    done += batch.length;
  }
}
