import { ApiException } from '@kubernetes/client-node';
import winston from 'winston';
import { Writable } from 'node:stream';
import {
  errorMessage,
  runWorkers,
  TerminalError,
  type ReconcileContext,
  type ReconcileOutcome,
} from '../../../src/runtime/reconcile.js';
import { WorkQueue } from '../../../src/runtime/workqueue.js';

const log = winston.createLogger({ silent: true });

async function reconcileOnce(
  result: () => Promise<{ requeueAfterMs?: number }>,
): Promise<{ outcome: ReconcileOutcome; queue: WorkQueue }> {
  const queue = new WorkQueue({ baseDelayMs: 60_000, maxDelayMs: 60_000 });
  let outcome: ReconcileOutcome | undefined;
  queue.add('ns/a');
  const done = runWorkers(queue, result, {
    workers: 1,
    log,
    observer: {
      reconciled: (o) => {
        outcome = o;
        queue.shutDown();
      },
    },
  });
  await done;
  return { outcome: outcome as ReconcileOutcome, queue };
}

describe('runWorkers', () => {
  test.each([
    ['success', async () => ({}), 'success', 0],
    ['a requeue-after', async () => ({ requeueAfterMs: 1000 }), 'requeue_after', 0],
    [
      'an error, retried with backoff',
      async () => {
        throw new Error('boom');
      },
      'error',
      1,
    ],
    [
      'a conflict, retried like any error',
      async () => {
        throw new ApiException(409, 'Conflict', '{}', {});
      },
      'error',
      1,
    ],
    [
      'a terminal error, not retried',
      async () => {
        throw new TerminalError('bad spec');
      },
      'terminal_error',
      0,
    ],
  ] as const)('%s', async (_name, result, outcome, retries) => {
    const run = await reconcileOnce(result);
    expect(run.outcome).toBe(outcome);
    expect(run.queue.retries('ns/a')).toBe(retries);
  });

  test('never reconciles one key twice at once', async () => {
    const queue = new WorkQueue();
    let running = 0;
    let most = 0;
    let calls = 0;
    const reconcile = async () => {
      running++;
      most = Math.max(most, running);
      calls++;
      if (calls < 3) queue.add('ns/a');
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (calls === 3) queue.shutDown();
      return {};
    };
    queue.add('ns/a');
    await runWorkers(queue, reconcile, { workers: 4, log });
    expect(most).toBe(1);
    expect(calls).toBe(3);
  });

  test("every reconcile logs with a reconcileID of its own, and the workers' failure lines carry it too", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      objectMode: true,
      write: (info: Record<string, unknown>, _encoding, done) => (lines.push(info), done()),
    });
    const sink = new winston.transports.Stream({ stream });
    const workersLog = winston.createLogger({ transports: [sink] }).child({ controller: 'things' });
    const queue = new WorkQueue({ baseDelayMs: 60_000, maxDelayMs: 60_000 });
    const ids: string[] = [];
    let calls = 0;
    const reconcile = async (key: string, context: ReconcileContext) => {
      ids.push(context.reconcileID);
      context.log.info('Reconciling', { key });
      if (++calls === 2) {
        queue.shutDown();
        throw new Error('boom');
      }
      queue.add('ns/b');
      return {};
    };
    queue.add('ns/a');
    await runWorkers(queue, reconcile, { workers: 1, log: workersLog });
    expect(new Set(ids).size).toBe(2);
    expect(lines.map(({ message, reconcileID, controller }) => ({ message, reconcileID, controller }))).toEqual([
      { message: 'Reconciling', reconcileID: ids[0], controller: 'things' },
      { message: 'Reconciling', reconcileID: ids[1], controller: 'things' },
      { message: 'Reconcile failed, will retry', reconcileID: ids[1], controller: 'things' },
    ]);
  });
});

describe('errorMessage', () => {
  test.each([
    [
      'an API status',
      new ApiException(409, 'x', JSON.stringify({ kind: 'Status', message: 'the object has been modified' }), {}),
      '409: the object has been modified',
    ],
    ['an API error without a status body', new ApiException(502, 'x', 'Bad Gateway', {}), 'HTTP 502'],
    ['an Error', new Error('socket hang up'), 'socket hang up'],
    ['anything else', 'weird', 'weird'],
  ])('%s', (_name, err, message) => {
    expect(errorMessage(err)).toBe(message);
  });
});
