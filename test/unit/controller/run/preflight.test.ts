import type { V1Node, V1Pod } from '@kubernetes/client-node';
import {
  admit,
  preflight,
  totalRequests,
  type Admission,
  type PreflightInput,
} from '../../../../src/controller/run/preflight.js';
import { CPU_MANAGER_POLICY_LABEL } from '../../../../src/api/v1alpha1/labels.js';
import { parseQuantity } from '../../../../src/controller/run/quantity.js';

const node = (name: string, labels: Record<string, string>, allocatable: Record<string, string>): V1Node => ({
  metadata: { name, labels },
  status: { allocatable, conditions: [{ type: 'Ready', status: 'True' }] },
});
const pod = (requests: Record<string, string>): V1Pod => ({
  spec: { containers: [{ name: 'c', resources: { requests } }] },
});
const roomy = { cpu: '4', memory: '8Gi', 'hugepages-2Mi': '2Gi' };
const selector = { 'switchbench.io/node': 'true' };
const labelled = { 'switchbench.io/node': 'true' };
/** The admin's node label, added to every selector. */
const adminLabel = { 'switchbench.io/node': 'true' };
const threePods = [
  pod({ cpu: '1', memory: '512Mi', 'hugepages-2Mi': '512Mi' }),
  pod({ cpu: '1', memory: '512Mi', 'hugepages-2Mi': '512Mi' }),
  pod({ cpu: '1', memory: '512Mi', 'hugepages-2Mi': '512Mi' }),
];

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
    expect(admit(selector, adminLabel, [node('a', {}, roomy), node('b', labelled, roomy)], threePods)).toEqual({
      kind: 'admit',
      node: 'b',
    });
  });

  test('waits, saying how to label a node, when none matches', () => {
    expect(admit(selector, adminLabel, [node('a', {}, roomy)], threePods)).toEqual({
      kind: 'wait',
      reason: 'NodeNotFound',
      message: expect.stringContaining('kubectl label node NODE switchbench.io/node=true'),
    });
  });

  test("requires the admin's label of a node the selector names, saying how to add it", () => {
    const byName = { 'kubernetes.io/hostname': 'cp' };
    const controlPlane = node('cp', byName, roomy);
    expect(admit(byName, adminLabel, [controlPlane], threePods)).toEqual({
      kind: 'wait',
      reason: 'NodeNotLabelled',
      message:
        'spec.placement.nodeSelector kubernetes.io/hostname=cp matches only nodes without the label switchbench.io/node=true that lets a node run benchmarks (cp): an admin adds it, e.g. kubectl label node cp switchbench.io/node=true',
    });
    const labelledControlPlane = node('cp', { ...byName, ...labelled }, roomy);
    expect(admit(byName, adminLabel, [labelledControlPlane], threePods)).toEqual({ kind: 'admit', node: 'cp' });
  });

  test("rejects a selector that contradicts the admin's label", () => {
    expect(
      admit(
        { 'switchbench.io/node': 'false' },
        adminLabel,
        [node('a', {}, roomy)],
        threePods,
        'spec.placement.receiverNodeSelector',
      ),
    ).toEqual({
      kind: 'reject',
      reason: 'NodeNotLabelled',
      message:
        'spec.placement.receiverNodeSelector sets switchbench.io/node=false, but benchmarks run only on nodes the admin labelled switchbench.io/node=true: remove it from the selector',
    });
  });

  test('rejects a selector that matches several nodes, naming them', () => {
    expect(admit(selector, adminLabel, [node('b', labelled, roomy), node('a', labelled, roomy)], threePods)).toEqual({
      kind: 'reject',
      reason: 'AmbiguousNodeSelector',
      message: expect.stringContaining('matches 2 nodes (a, b); it must select exactly one'),
    });
  });

  test.each([
    ['hugepages', { ...roomy, 'hugepages-2Mi': '1Gi' }, 'hugepages-2Mi: needs 1536Mi, node allocatable 1Gi'],
    ['CPUs', { ...roomy, cpu: '2' }, 'cpu: needs 3, node allocatable 2'],
  ])('rejects a node short of %s', (_name, allocatable, message) => {
    expect(admit(selector, adminLabel, [node('a', labelled, allocatable)], threePods)).toEqual({
      kind: 'reject',
      reason: 'InsufficientResources',
      message: expect.stringContaining(message),
    });
  });

  describe("SR-IOV VFs, a device plugin's extended resource", () => {
    const vfPods = threePods
      .slice(0, 2)
      .map((p) => pod({ ...p.spec?.containers[0]?.resources?.requests, 'intel.com/sriov_dpdk': '1' }));

    test.each([
      ['not advertised at all', roomy],
      ['advertised with no device', { ...roomy, 'intel.com/sriov_dpdk': '0' }],
    ])('waits, naming the resource and the field, when the node has it %s', (_case, allocatable) => {
      expect(admit(selector, adminLabel, [node('a', labelled, allocatable)], vfPods)).toEqual({
        kind: 'wait',
        reason: 'DeviceResourceMissing',
        message:
          'Node a advertises no intel.com/sriov_dpdk (spec.sriov.resourceName): the run starts when a device plugin offers VFs under that name there (docs/multus-sriov.md)',
      });
    });

    test('rejects a node with fewer VFs than pods, and admits one with enough', () => {
      expect(
        admit(selector, adminLabel, [node('a', labelled, { ...roomy, 'intel.com/sriov_dpdk': '1' })], vfPods),
      ).toEqual({
        kind: 'reject',
        reason: 'InsufficientResources',
        message: expect.stringContaining('intel.com/sriov_dpdk: needs 2, node allocatable 1'),
      });
      expect(
        admit(selector, adminLabel, [node('a', labelled, { ...roomy, 'intel.com/sriov_dpdk': '2' })], vfPods),
      ).toEqual({
        kind: 'admit',
        node: 'a',
      });
    });
  });

  test('sums requests over pods and containers', () => {
    expect(totalRequests(threePods)).toEqual(
      new Map([
        ['cpu', 3],
        ['memory', 3 * 512 * 2 ** 20],
        ['hugepages-2Mi', 3 * 512 * 2 ** 20],
      ]),
    );
  });
});

describe('preflight', () => {
  const ready = { conditions: [{ type: 'Ready', status: 'True' }] };
  const readyNode = (name: string, labels: Record<string, string>, extra: Partial<V1Node> = {}): V1Node => ({
    metadata: { name, labels },
    status: { allocatable: roomy, ...ready },
    ...extra,
  });
  const base: PreflightInput = {
    nodeSelector: selector,
    nodes: [readyNode('a', labelled)],
    pods: threePods,
    cpuPolicy: 'exclusive',
    cpuManagerPolicy: 'static',
    images: { traffic: 'img', switch: 'switch-img' },
    allowedImages: { traffic: ['img'], switch: ['switch-img'] },
    nodeLabel: adminLabel,
  };

  test('admits a ready node with the static CPU manager, with no notes', () => {
    expect(preflight(base)).toEqual({ kind: 'admit', node: 'a', notes: [] });
  });

  test.each<[string, Partial<PreflightInput>, Admission['kind'], string, string]>([
    [
      'an image off the allowlist',
      { images: { traffic: 'img', switch: 'evil' } },
      'reject',
      'ImageNotAllowed',
      "Image evil is not on the operator's switch image allowlist: use the default image or ask the admin to add it (--allow-switch-image)",
    ],
    [
      'a switch image as traffic',
      { images: { traffic: 'switch-img' } },
      'reject',
      'ImageNotAllowed',
      "Image switch-img is not on the operator's traffic image allowlist",
    ],
    [
      'missing cluster pieces of the data path',
      { datapathProblems: [{ reason: 'MultusMissing', message: 'install Multus' }] },
      'wait',
      'MultusMissing',
      'install Multus',
    ],
    [
      'a node that is not Ready',
      {
        nodes: [
          {
            metadata: { name: 'a', labels: labelled },
            status: { allocatable: roomy, conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }] },
          },
        ],
      },
      'wait',
      'NodeNotReady',
      'Node a is not Ready (KubeletNotReady)',
    ],
    [
      // Not Ready yet (just joined), it may not have reported its allocatable resources: judge them later.
      'a node that is not Ready and shows no hugepages',
      { nodes: [{ metadata: { name: 'a', labels: labelled }, status: { allocatable: { cpu: '4' } } }] },
      'wait',
      'NodeNotReady',
      'Node a is not Ready (no Ready condition): the run starts when it is',
    ],
    [
      'a node with no Ready condition',
      { nodes: [{ metadata: { name: 'a', labels: labelled }, status: { allocatable: roomy } }] },
      'wait',
      'NodeNotReady',
      'no Ready condition',
    ],
    [
      'a cordoned node',
      { nodes: [readyNode('a', labelled, { spec: { unschedulable: true } })] },
      'wait',
      'NodeCordoned',
      'kubectl uncordon a',
    ],
    [
      'a node without hugepages',
      {
        nodes: [
          {
            metadata: { name: 'a', labels: labelled },
            status: { allocatable: { cpu: '4', memory: '8Gi', 'hugepages-2Mi': '0' }, ...ready },
          },
        ],
      },
      'reject',
      'NoHugepages',
      'Node a has no allocatable hugepages-2Mi',
    ],
    [
      'exclusive CPUs on a node whose label says policy none',
      { nodes: [readyNode('a', { ...labelled, [CPU_MANAGER_POLICY_LABEL]: 'none' })] },
      'reject',
      'CPUManagerNotStatic',
      'or use cpuPolicy: shared',
    ],
    [
      'exclusive CPUs where the configured policy is none',
      { cpuManagerPolicy: 'none' },
      'reject',
      'CPUManagerNotStatic',
      'node a runs policy none',
    ],
    [
      'the device under test isolated where the configured policy is none',
      { cpuManagerPolicy: 'none', cpuPolicy: 'isolated-dut' },
      'reject',
      'CPUManagerNotStatic',
      "spec.resources.cpuPolicy isolated-dut needs the kubelet's static CPU manager",
    ],
    [
      'a receiver selector that picks the same node',
      { receiverNodeSelector: selector, receiverPods: [] },
      'reject',
      'SameNode',
      'spec.placement.receiverNodeSelector selects node a',
    ],
    [
      'a receiver selector that matches no node',
      { receiverNodeSelector: { rx: 'yes' }, receiverPods: [] },
      'wait',
      'NodeNotFound',
      "(spec.placement.receiverNodeSelector, with the admin's switchbench.io/node=true)",
    ],
  ])('refuses %s', (_name, change, kind, reason, message) => {
    expect(preflight({ ...base, ...change })).toEqual({ kind, reason, message: expect.stringContaining(message) });
  });

  test('a node label stating policy static wins over a configured none', () => {
    expect(
      preflight({
        ...base,
        cpuManagerPolicy: 'none',
        nodes: [readyNode('a', { ...labelled, [CPU_MANAGER_POLICY_LABEL]: 'static' })],
      }),
    ).toMatchObject({ kind: 'admit' });
  });

  test('an unknown CPU manager policy admits with a note; shared CPUs need no policy', () => {
    expect(preflight({ ...base, cpuManagerPolicy: 'unknown' })).toEqual({
      kind: 'admit',
      node: 'a',
      notes: [expect.stringContaining('policy of node a is not known')],
    });
    expect(preflight({ ...base, cpuManagerPolicy: 'none', cpuPolicy: 'shared' })).toEqual({
      kind: 'admit',
      node: 'a',
      notes: [],
    });
  });

  test('cross-node: the receiver gets its own node, checked against its own pods', () => {
    // Both nodes carry the admin's label; each selector picks one of them.
    const crossNode = { ...base, nodeSelector: { tx: 'yes' }, receiverNodeSelector: { rx: 'yes' } };
    const nodes = [readyNode('a', { tx: 'yes', ...labelled }), readyNode('b', { rx: 'yes', ...labelled })];
    expect(preflight({ ...crossNode, nodes, receiverPods: [threePods[0] as V1Pod] })).toEqual({
      kind: 'admit',
      node: 'a',
      receiverNode: 'b',
      notes: [],
    });
    const small = [
      readyNode('a', { tx: 'yes', ...labelled }),
      {
        metadata: { name: 'b', labels: { rx: 'yes', ...labelled } },
        status: { allocatable: { ...roomy, cpu: '0' }, ...ready },
      },
    ];
    expect(preflight({ ...crossNode, nodes: small, receiverPods: [threePods[0] as V1Pod] })).toMatchObject({
      kind: 'reject',
      reason: 'InsufficientResources',
      message: expect.stringContaining('Node b'),
    });
  });
});
