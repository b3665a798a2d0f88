import { describe, expect, test } from '@jest/globals';
import type { V1DaemonSet } from '@kubernetes/client-node';
import { parseNamespacedName, piecesProblems, type PieceFacts } from '../../../../src/controller/run/cluster-pieces.js';

const daemonSet = { namespace: 'switchbench-system', name: 'sb-multus' };
const withStatus = (desiredNumberScheduled: number, numberReady: number): V1DaemonSet => ({
  status: {
    desiredNumberScheduled,
    numberReady,
    currentNumberScheduled: desiredNumberScheduled,
    numberMisscheduled: 0,
  },
});

describe('piecesProblems', () => {
  test.each<[string, PieceFacts, string[]]>([
    ['the API and no Multus to check', { networkAttachmentApi: true }, []],
    [
      'the API and every Multus pod ready',
      { networkAttachmentApi: true, multus: { daemonSet, found: withStatus(1, 1) } },
      [],
    ],
    ['no NetworkAttachmentDefinition API', { networkAttachmentApi: false }, ['NetworkAttachmentAPIMissing']],
    ['no Multus DaemonSet', { networkAttachmentApi: true, multus: { daemonSet, found: null } }, ['MultusMissing']],
    [
      'a Multus pod not ready',
      { networkAttachmentApi: true, multus: { daemonSet, found: withStatus(2, 1) } },
      ['MultusNotReady'],
    ],
    [
      'a Multus DaemonSet on no node',
      { networkAttachmentApi: true, multus: { daemonSet, found: withStatus(0, 0) } },
      ['MultusNotReady'],
    ],
    [
      'a Multus DaemonSet without status yet',
      { networkAttachmentApi: true, multus: { daemonSet, found: {} } },
      ['MultusNotReady'],
    ],
    [
      'neither',
      { networkAttachmentApi: false, multus: { daemonSet, found: null } },
      ['NetworkAttachmentAPIMissing', 'MultusMissing'],
    ],
  ])('%s', (_case, facts, reasons) => {
    expect(piecesProblems('kernel', facts).map((p) => p.reason)).toEqual(reasons);
  });

  test('each message names the data path, what is missing and what to do', () => {
    expect(
      piecesProblems('sriov', { networkAttachmentApi: false, multus: { daemonSet, found: withStatus(2, 1) } }).map(
        (p) => p.message,
      ),
    ).toEqual([
      'datapath sriov attaches its network through Multus, and the cluster has no NetworkAttachmentDefinition API (CRD network-attachment-definitions.k8s.cni.cncf.io): install Multus (chart value multus.install=true) or its CRD',
      'datapath sriov needs Multus, and 1 of 2 pods of its DaemonSet switchbench-system/sb-multus are ready: the run starts when they are (kubectl -n switchbench-system describe daemonset sb-multus)',
    ]);
  });
});

describe('parseNamespacedName', () => {
  test('NAMESPACE/NAME', () => {
    expect(parseNamespacedName('--multus-daemonset', 'kube-system/kube-multus-ds')).toEqual({
      namespace: 'kube-system',
      name: 'kube-multus-ds',
    });
  });
  test.each(['kube-multus-ds', 'a/b/c', '/x', 'Kube/x', 'a/'])('%j is refused, naming the flag', (value) => {
    expect(() => parseNamespacedName('--multus-daemonset', value)).toThrow(
      `--multus-daemonset ${JSON.stringify(value)}: must be NAMESPACE/NAME`,
    );
  });
});
