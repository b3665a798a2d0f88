#!/usr/bin/env node
// Prints the benchmarks of `make demo`: the examples of memif, testpmd and OVS-DPDK (port-to-port)
// as method max at 64 and 512 B on the small-node placement (examples.mjs). Their names:
// demo-memif, demo-testpmd, demo-ovs-dpdk.
import { fromExample, SHORT_TRIAL } from './examples.mjs';

const demo = (example, datapathOptions = {}) =>
  fromExample(example, `demo-${example}`, {
    ...datapathOptions,
    traffic: { packetSizes: [64, 512], burstSizes: [32] },
    method: { type: 'max' },
    trial: { ...SHORT_TRIAL, repetitions: 1 },
  });

process.stdout.write(
  [demo('memif'), demo('testpmd'), demo('ovs-dpdk', { ovsDpdk: { forwarding: 'port-to-port' } })].join('---\n'),
);
