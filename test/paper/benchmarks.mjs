#!/usr/bin/env node
// The SwitchBenchmarks of `make paper`: the paper's experiments on the small-node placement with
// 10 s trials (.ci/demo/examples.mjs), each a cut-down example.
//   paper-fig2-testpmd, paper-fig2-ovs-dpdk  Figure 2: sweeps of offered rates, 64 and 512 B, bursts of 16
//   paper-fig3-<datapath>                     Figure 3: method max, 64 and 512 B, bursts of 16, 3 repetitions
//   paper-table1-<socket>-<batching>          Table 1: the kernel variants, method max, 64 B, bursts of 64
//   paper-bursts-testpmd                      testpmd at 64 B with bursts of 16, 32 and 64
// Usage: benchmarks.mjs [--names] [DATAPATH...]: DATAPATHs are added to Figure 3 (vpp, snabb where
// their images exist); --names prints the names by experiment as JSON instead of the YAML.
import { fromExample, SHORT_TRIAL } from '../../.ci/demo/examples.mjs';

const args = process.argv.slice(2);
const extra = args.filter((a) => a !== '--names');
const BOTH_SIZES = { packetSizes: [64, 512], burstSizes: [16] };
const max = (repetitions) => ({ method: { type: 'max' }, trial: { ...SHORT_TRIAL, repetitions } });

// From what a sender sharing its CPU with the receiver keeps pace with on a 2-vCPU node (a few
// hundred kpps: docs/switches.md) to past the 1–4 Mpps the DPDK paths reach, so the plateau shows.
const FIGURE2_RATES = [100e3, 250e3, 500e3, 1e6, 2e6, 3e6, 4e6, 8e6];
const figure2 = ['testpmd', 'ovs-dpdk'].map((datapath) => ({
  name: `paper-fig2-${datapath}`,
  yaml: fromExample(datapath, `paper-fig2-${datapath}`, {
    traffic: BOTH_SIZES,
    method: { type: 'sweep', sweep: { ratesPps: FIGURE2_RATES } },
    trial: { ...SHORT_TRIAL, repetitions: 1 },
  }),
}));

const figure3 = ['memif', 'testpmd', 'ovs-dpdk', ...extra].map((datapath) => ({
  name: `paper-fig3-${datapath}`,
  yaml: fromExample(datapath, `paper-fig3-${datapath}`, { traffic: BOTH_SIZES, ...max(3) }),
}));

const table1 = ['udp', 'raw'].flatMap((socket) =>
  ['single', 'mmsg'].map((batching) => ({
    name: `paper-table1-${socket}-${batching}`,
    yaml: fromExample('kernel', `paper-table1-${socket}-${batching}`, {
      kernel: { socket, batching, mtu: 1500 },
      traffic: { packetSizes: [64], burstSizes: [64] },
      ...max(3),
    }),
  })),
);

const bursts = {
  name: 'paper-bursts-testpmd',
  yaml: fromExample('testpmd', 'paper-bursts-testpmd', {
    traffic: { packetSizes: [64], burstSizes: [16, 32, 64] },
    ...max(2),
  }),
};

const experiments = { figure2, figure3, table1, bursts: [bursts] };
if (args.includes('--names'))
  process.stdout.write(
    `${JSON.stringify(Object.fromEntries(Object.entries(experiments).map(([k, v]) => [k, v.map((b) => b.name)])))}\n`,
  );
else
  process.stdout.write(
    Object.values(experiments)
      .flat()
      .map((b) => b.yaml)
      .join('---\n'),
  );
