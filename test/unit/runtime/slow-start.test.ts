import { describe, expect, test } from '@jest/globals';
import { slowStartBatch } from '../../../src/runtime/slow-start.js';

/** The batches a run made: items started together, until each batch settled. */
async function batchesOf(count: number, maxBatch: number, failing: number[] = []) {
  const batches: number[][] = [];
  let current: number[] = [];
  let outcome = 'done';
  const items = Array.from({ length: count }, (_, i) => i);
  await slowStartBatch(items, maxBatch, async (item) => {
    if (current.length === 0) queueMicrotask(() => batches.push(current) && (current = []));
    current.push(item);
    await Promise.resolve();
    if (failing.includes(item)) throw new Error(`item ${item} failed`);
  }).catch((err: Error) => (outcome = err.message));
  return { sizes: batches.map((b) => b.length), started: batches.flat().length, outcome };
}

describe('slowStartBatch', () => {
  test.each([
    { count: 0, maxBatch: 4, sizes: [], started: 0, outcome: 'done' },
    { count: 1, maxBatch: 4, sizes: [1], started: 1, outcome: 'done' },
    { count: 10, maxBatch: 4, sizes: [1, 2, 4, 3], started: 10, outcome: 'done' },
    { count: 20, maxBatch: 32, sizes: [1, 2, 4, 8, 5], started: 20, outcome: 'done' },
    { count: 10, maxBatch: 1, sizes: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], started: 10, outcome: 'done' },
  ])('$count items, batches up to $maxBatch: $sizes', async ({ count, maxBatch, sizes, started, outcome }) => {
    expect(await batchesOf(count, maxBatch)).toEqual({ sizes, started, outcome });
  });

  test('a failure stops after its batch, which still runs whole, and is thrown', async () => {
    expect(await batchesOf(20, 8, [4])).toEqual({ sizes: [1, 2, 4], started: 7, outcome: 'item 4 failed' });
  });

  test('the first item failing stops everything at once', async () => {
    expect(await batchesOf(20, 8, [0])).toEqual({ sizes: [1], started: 1, outcome: 'item 0 failed' });
  });
});
