import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { admit, totalRequests } from '../../../src/controller/admission.js';
import { parseQuantity } from '../../../src/controller/quantity.js';

const node = (name: string, labels: Record<string, string>, allocatable: Record<string, string>): V1Node => ({
  metadata: { name, labels },
  status: { allocatable },
});
const pod = (requests: Record<string, string>): V1Pod => ({ spec: { containers: [{ name: 'c', resources: { requests } }] } });
const roomy = { cpu: '4', memory: '8Gi', 'hugepages-2Mi': '2Gi' };
const selector = { 'switchbench.io/node': 'true' };
const labelled = { 'switchbench.io/node': 'true' };
const threePods = [pod({ cpu: '1', memory: '512Mi', 'hugepages-2Mi': '512Mi' }), pod({ cpu: '1', memory: '512Mi', 'hugepages-2Mi': '512Mi' }), pod({ cpu: '1', memory: '512Mi', 'hugepages-2Mi': '512Mi' })];

describe('parseQuantity', () => {
  test.each([
    ['2', 2],
    ['1500m', 1.5],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['2k', 2000],
    ['0.5', 0.5],
    [undefined, NaN],
    ['lots', NaN],
  ])('%s is %d', (quantity, value) => {
    expect(parseQuantity(quantity)).toBe(value);
  });
});

describe('admit', () => {
  test('admits the one labelled node that can hold every pod at once', () => {
    expect(admit(selector, [node('a', {}, roomy), node('b', labelled, roomy)], threePods)).toEqual({ kind: 'admit', node: 'b' });
  });

  test('waits, saying how to label a node, when none matches', () => {
    expect(admit(selector, [node('a', {}, roomy)], threePods)).toEqual({
      kind: 'wait',
      reason: 'NodeNotFound',
      message: expect.stringContaining('kubectl label node NODE switchbench.io/node=true'),
    });
  });

  test('rejects a selector that matches several nodes, naming them', () => {
    expect(admit(selector, [node('b', labelled, roomy), node('a', labelled, roomy)], threePods)).toEqual({
      kind: 'reject',
      reason: 'AmbiguousNodeSelector',
      message: expect.stringContaining('matches 2 nodes (a, b); it must select exactly one'),
    });
  });

  test.each([
    ['hugepages', { ...roomy, 'hugepages-2Mi': '1Gi' }, 'hugepages-2Mi: needs 1536Mi, node allocatable 1Gi'],
    ['CPUs', { ...roomy, cpu: '2' }, 'cpu: needs 3, node allocatable 2'],
    ['hugepages of a size the node lacks', { cpu: '4', memory: '8Gi' }, 'hugepages-2Mi: needs 1536Mi, node allocatable none'],
  ])('rejects a node short of %s', (_name, allocatable, message) => {
    expect(admit(selector, [node('a', labelled, allocatable)], threePods)).toEqual({
      kind: 'reject',
      reason: 'InsufficientResources',
      message: expect.stringContaining(message),
    });
  });

  test('sums requests over pods and containers', () => {
    expect(totalRequests(threePods)).toEqual(new Map([['cpu', 3], ['memory', 3 * 512 * 2 ** 20], ['hugepages-2Mi', 3 * 512 * 2 ** 20]]));
  });
});
