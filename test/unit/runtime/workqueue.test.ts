import { jest } from '@jest/globals';
import { WorkQueue } from '../../../src/runtime/workqueue.js';

const drain = async (queue: WorkQueue, count: number): Promise<string[]> => {
  const keys: string[] = [];
  for (let i = 0; i < count; i++) keys.push((await queue.get()) as string);
  return keys;
};

describe('WorkQueue', () => {
  afterEach(() => jest.useRealTimers());

  test('holds a waiting key once however often it is added', async () => {
    const queue = new WorkQueue();
    for (const key of ['a', 'b', 'a', 'a', 'c', 'b']) queue.add(key);
    expect(queue.length).toBe(3);
    expect(await drain(queue, 3)).toEqual(['a', 'b', 'c']);
  });

  test('never hands out a key being processed; an add meanwhile is queued at done', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.add('a');
    expect(queue.length).toBe(0);
    queue.add('b');
    expect(await queue.get()).toBe('b');
    queue.done('a');
    expect(queue.length).toBe(1);
    expect(await queue.get()).toBe('a');
  });

  test('a waiting get receives the next key added', async () => {
    const queue = new WorkQueue();
    const next = queue.get();
    queue.add('x');
    expect(await next).toBe('x');
  });

  test('backoff doubles per failure up to the maximum and resets on forget', () => {
    jest.useFakeTimers();
    const queue = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 50 }, {}, () => Date.now());
    const expectQueuedAfter = (ms: number) => {
      queue.addRateLimited('k');
      jest.advanceTimersByTime(ms - 1);
      expect(queue.length).toBe(0);
      jest.advanceTimersByTime(1);
      expect(queue.length).toBe(1);
      void queue.get();
      queue.done('k');
    };
    expectQueuedAfter(10);
    expectQueuedAfter(20);
    expectQueuedAfter(40);
    expectQueuedAfter(50);
    expect(queue.retries('k')).toBe(4);
    queue.forget('k');
    expect(queue.retries('k')).toBe(0);
    expectQueuedAfter(10);
  });

  test('of two delays for one key the earlier wins', () => {
    jest.useFakeTimers();
    const queue = new WorkQueue(undefined, {}, () => Date.now());
    queue.addAfter('k', 1000);
    queue.addAfter('k', 100);
    queue.addAfter('k', 5000);
    jest.advanceTimersByTime(100);
    expect(queue.length).toBe(1);
    jest.advanceTimersByTime(5000);
    expect(queue.length).toBe(1);
  });

  test('shutDown releases waiting workers and refuses new keys', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('late');
    expect(await queue.get()).toBeUndefined();
  });

  test('reports adds, depth and time waited', async () => {
    let now = 0;
    const events: string[] = [];
    const queue = new WorkQueue(
      undefined,
      {
        added: (k) => events.push(`added ${k}`),
        depthChanged: (d) => events.push(`depth ${d}`),
        dequeued: (k, s) => events.push(`waited ${k} ${s}`),
      },
      () => now,
    );
    queue.add('a');
    now = 2500;
    await queue.get();
    expect(events).toEqual(['added a', 'depth 1', 'waited a 2.5', 'depth 0']);
  });
});
