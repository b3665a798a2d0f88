import type { V1Node } from '@kubernetes/client-node';
import type { SwitchBenchmarkRun } from '../../../../src/api/v1alpha1/types.js';
import { fanOutRunName, poolNodes, poolSlotTaken } from '../../../../src/controller/benchmark/fan-out.js';

const node = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels } }) as V1Node;
const admin = { 'switchbench.io/node': 'true' };

describe('poolNodes', () => {
  const nodes = [
    node('w3', { pool: 'a', ...admin }),
    node('w1', { pool: 'a', ...admin }),
    node('w2', { pool: 'a' }),
    node('w4', { pool: 'b', ...admin }),
  ];
  test.each([
    ['the selector and the admin label, by name', { pool: 'a' }, ['w1', 'w3']],
    ['every labelled node', {}, ['w1', 'w3', 'w4']],
    ['none', { pool: 'c' }, []],
  ])('%s', (_name, selector, expected) => {
    expect(poolNodes(nodes, selector, admin)).toEqual(expected);
  });
});

describe('fanOutRunName', () => {
  test.each([
    ['a short node name is appended', 'pool-1', 'worker-3', 'pool-1-worker-3'],
    ['a dotted name is made a label, with a hash', 'pool-1', 'w1.example.com', /^pool-1-w1-example-com-[0-9a-f]{8}$/],
  ])('%s', (_name, round, nodeName, expected) => {
    expect(fanOutRunName(round, nodeName)).toEqual(
      expected instanceof RegExp ? expect.stringMatching(expected) : expected,
    );
  });

  test('a long round and node name stay within 63 characters, and distinct', () => {
    const round = `${'b'.repeat(40)}-29412345`;
    const names = ['ip-10-0-1-23.eu-west-1.compute.internal', 'ip-10-0-1-24.eu-west-1.compute.internal'].map((n) =>
      fanOutRunName(round, n),
    );
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(name.startsWith(`${round}-`)).toBe(true);
    }
    expect(names[0]).not.toEqual(names[1]);
  });
});

describe('poolSlotTaken', () => {
  const run = (uid: string, phase?: string, started = false) =>
    ({
      metadata: { name: `r-${uid}`, uid },
      spec: { nodeName: `n-${uid}` },
      status: { ...(phase ? { phase } : {}), ...(started ? { startTime: '2026-01-01T00:00:00Z' } : {}) },
    }) as unknown as SwitchBenchmarkRun;
  const me = run('me');
  test.each([
    ['no bound', [run('a', 'Running', true), run('b', 'Running', true)], [], undefined, undefined],
    ['below the bound', [run('a', 'Running', true)], [], 2, undefined],
    ['at the bound', [run('a', 'Running', true), run('b', 'Running', true)], [], 2, ['r-a', 'r-b']],
    ['finished runs free their slot', [run('a', 'Succeeded', true), run('b', 'Running', true)], [], 2, undefined],
    ['queued runs hold no node', [run('a', 'Queued'), run('b', 'Running', true)], [], 2, undefined],
    [
      'a run being admitted counts before the cache shows it',
      [run('a', 'Pending'), run('b', 'Running', true)],
      ['a'],
      2,
      ['r-a', 'r-b'],
    ],
    ['itself never counts', [me, run('b', 'Running', true)], ['me'], 2, undefined],
  ])('%s', (_name, siblings, admitting, max, holders) => {
    const taken = poolSlotTaken(me, siblings, new Set(admitting), max);
    expect(taken?.holders).toEqual(holders);
  });
});
