#!/usr/bin/env node
// Prints the benchmarks of `make demo`: the examples of memif, testpmd and OVS-DPDK (port-to-port)
// cut down for a 2-vCPU node: method max at 64 and 512 B, 10 s trials, and the isolated-dut
// placement (the device under test on the one exclusive core the static CPU manager has to give
// here, sender and receiver on the shared one). Their names: demo-memif, demo-testpmd, demo-ovs-dpdk.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const demo = (example, datapathOptions = {}) => {
  const benchmark = parse(readFileSync(new URL(`../../examples/${example}.yaml`, import.meta.url), 'utf8'));
  benchmark.metadata.name = `demo-${example}`;
  Object.assign(benchmark.spec, datapathOptions);
  benchmark.spec.traffic = { packetSizes: [64, 512], burstSizes: [32] };
  benchmark.spec.method = { type: 'max' };
  benchmark.spec.trial = { duration: '10s', warmup: '4s', window: '6s', sampleInterval: '1s', repetitions: 1 };
  benchmark.spec.resources = {
    cpuPolicy: 'isolated-dut',
    cpus: { sender: 1, receiver: 1, switch: 1 },
    memoryMi: 512,
    hugepages: { pageSize: '2Mi', perPodMi: 512 },
  };
  return stringify(benchmark);
};

process.stdout.write(
  [demo('memif'), demo('testpmd'), demo('ovs-dpdk', { ovsDpdk: { forwarding: 'port-to-port' } })].join('---\n'),
);
