#!/usr/bin/env node
// Prints examples/testpmd.yaml cut down for `make demo` on a 2-vCPU machine: short trials, a few low
// rates, shared CPUs (the static CPU manager has one exclusive core to give here) and small hugepages.
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

const benchmark = parse(readFileSync(new URL('../../examples/testpmd.yaml', import.meta.url), 'utf8'));
benchmark.metadata.name = 'demo-testpmd';
benchmark.spec.traffic = { packetSizes: [64, 512], burstSizes: [16] };
benchmark.spec.method = { type: 'sweep', sweep: { ratesPps: [5000, 10000, 20000] } };
benchmark.spec.trial = { duration: '8s', warmup: '2s', window: '5s', sampleInterval: '1s', repetitions: 1 };
benchmark.spec.resources = {
  cpuPolicy: 'shared',
  cpus: { sender: 1, receiver: 1, switch: 1 },
  memoryMi: 256,
  hugepages: { pageSize: '2Mi', perPodMi: 512 },
};
process.stdout.write(stringify(benchmark));
