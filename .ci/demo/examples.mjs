// The repository's examples cut down for a 2-vCPU node, for make demo and make paper: short trials
// and the isolated-dut placement (the device under test on the one exclusive core the static CPU
// manager has to give here; sender and receiver on the shared one).
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';

/** A trial of 10 s: 4 s of warm-up, then 6 one-second samples (the paper: 60 s, 20 s, 20 s). */
export const SHORT_TRIAL = { duration: '10s', warmup: '4s', window: '6s', sampleInterval: '1s' };

export const SMALL_NODE_RESOURCES = {
  cpuPolicy: 'isolated-dut',
  cpus: { sender: 1, receiver: 1, switch: 1 },
  memoryMi: 512,
  hugepages: { pageSize: '2Mi', perPodMi: 512 },
};

/**
 * examples/EXAMPLE.yaml named NAME, on the small-node resources, with the spec's top-level fields
 * in `spec` replacing the example's. Printed as YAML.
 */
export function fromExample(example, name, spec) {
  const benchmark = parse(readFileSync(new URL(`../../examples/${example}.yaml`, import.meta.url), 'utf8'));
  benchmark.metadata.name = name;
  Object.assign(benchmark.spec, { resources: SMALL_NODE_RESOURCES }, spec);
  return stringify(benchmark);
}
