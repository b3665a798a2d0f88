#!/usr/bin/env node
// `make bench-cluster`: does running through the operator cost the data path anything? The same
// path, frame size and placement measured in-cluster (a SwitchBenchmark, method max, run by the
// operator .ci/demo/setup.sh installs) and on the host (the switches tier's harness, the programs and
// switch started from the same driver plan, outside any pod), interleaved: each round measures every
// path both ways before the next round starts, so the machine's drift reaches both alike. Prints the
// in-cluster / host ratio per path and size, median with min and max over the rounds, and the ratio
// of each side's best round. A figure, never a pass/fail: this machine is shared and noisy.
//
// Placement: isolated-dut in-cluster, the device under test on an exclusive core (CPU 1: the kubelet
// reserves CPU 0), sender and receiver on the shared CPU 0; on the host the same CPUs by taskset.
// The device under test is the switch, or on memif the receiver.
// The kernel socket variants run in-cluster over Multus (installed by .ci/demo/setup.sh's release for
// this benchmark and removed at its end, as make paper does) and on the host over veth and a bridge
// between network namespaces (test/bench/kernel-host.sh), bursts of 64 as in the paper's Table 1.
// After the rounds, the repetition spread of max trials (slowest / fastest repetition) in-cluster
// under cpuPolicy shared, where every role floats over both CPUs, beside the rounds' isolated-dut
// spread: the reason isolated-dut exists.
//   ROUNDS (default 5), BENCH_PATHS (default: every path below): what to measure.
//   SPREAD_PATHS (default memif,testpmd; empty for none): the paths of the shared-placement spread.
//   NDR_PATHS (default testpmd; empty for none): paths whose 64-byte NDR and PDR (0.5 %) are searched
//   NDR_RUNS times (default 3) under isolated-dut, for the spread of a paced figure beside max's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { clusterDir } from '../cluster/cluster.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const group = 'switchbench.io';
const version = 'v1alpha1';
const namespace = 'default';
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SIZES = [64, 512];
const DURATION_S = 10;
const WARMUP_S = 4;
/** The DPDK paths' burst, in-cluster and on the host alike. */
const BURST = 32;

/** Each path: its id in test/switches/bench.sh, its spec, and the host pinning of its in-cluster twin. */
const PATHS = {
  memif: {
    datapath: 'memif',
    options: {},
    host: { TX_CPUS: '0', TX_MODE: 'shared', RX_CPUS: '1', RX_MODE: 'dedicated' },
  },
  testpmd: { datapath: 'testpmd', options: {}, host: { TX_MODE: 'shared' } },
  'ovs-p2p': {
    datapath: 'ovs-dpdk',
    options: { ovsDpdk: { forwarding: 'port-to-port' } },
    host: { TX_MODE: 'shared' },
  },
  ...Object.fromEntries(
    ['udp', 'raw'].flatMap((socket) =>
      ['single', 'mmsg'].map((batching) => [
        `${socket}-${batching}`,
        {
          datapath: 'kernel',
          options: { kernel: { socket, batching, mtu: 1500 } },
          burst: 64,
          kernel: [socket, batching],
        },
      ]),
    ),
  ),
};
const wanted = (process.env.BENCH_PATHS ?? Object.keys(PATHS).join(',')).split(',');
for (const id of wanted)
  if (!PATHS[id]) throw new Error(`BENCH_PATHS: ${id} is not one of ${Object.keys(PATHS).join(', ')}`);

const kc = new KubeConfig();
kc.loadFromFile(path.join(clusterDir, 'admin.kubeconfig'));
const custom = kc.makeApiClient(CustomObjectsApi);
const objects = (plural) => ({ group, version, namespace, plural });

function spec({ datapath, options, burst }, { cpuPolicy = 'isolated-dut', repetitions = 1 } = {}) {
  return {
    datapath,
    ...options,
    traffic: { packetSizes: SIZES, burstSizes: [burst ?? BURST] },
    method: { type: 'max' },
    trial: {
      duration: `${DURATION_S}s`,
      warmup: `${WARMUP_S}s`,
      window: `${DURATION_S - WARMUP_S}s`,
      sampleInterval: '1s',
      repetitions,
    },
    resources: {
      cpuPolicy,
      cpus: { sender: 1, receiver: 1, switch: 1 },
      memoryMi: 512,
      hugepages: { pageSize: '2Mi', perPodMi: 512 },
    },
  };
}

/** One in-cluster run of a benchmark with this spec, to its end: the finished run. */
async function runInCluster(name, benchmarkSpec) {
  await custom
    .deleteNamespacedCustomObject({ ...objects('switchbenchmarks'), name, propagationPolicy: 'Foreground' })
    .catch(() => undefined);
  while (await custom.getNamespacedCustomObject({ ...objects('switchbenchmarks'), name }).catch(() => undefined))
    await sleep(1000);
  await custom.createNamespacedCustomObject({
    ...objects('switchbenchmarks'),
    body: { apiVersion: `${group}/${version}`, kind: 'SwitchBenchmark', metadata: { name }, spec: benchmarkSpec },
  });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const run = await custom
      .getNamespacedCustomObject({ ...objects('switchbenchmarkruns'), name: `${name}-1` })
      .catch(() => undefined);
    const phase = run?.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      await custom.deleteNamespacedCustomObject({ ...objects('switchbenchmarks'), name }).catch(() => undefined);
      if (phase === 'Failed')
        console.error(`${name}: run Failed: ${run.status.conditions?.find((c) => c.type === 'Ready')?.message}`);
      return run;
    }
    if (Date.now() > deadline) throw new Error(`${name}: no end after 15 minutes (phase ${phase})`);
    await sleep(2000);
  }
}

/** One in-cluster run of the path: the mean receive rate of each of its trials, per frame size. */
async function inCluster(id, name, placement) {
  const run = await runInCluster(name, spec(PATHS[id], placement));
  const rates = new Map();
  for (const trial of run.status.trials ?? [])
    if (trial.outcome === 'Measured')
      rates.set(trial.packetSize, [...(rates.get(trial.packetSize) ?? []), trial.rxPpsMean]);
  return rates;
}

/**
 * Lines of space-separated fields as a map of frame size to receive rate, the fields at `at.size`
 * and `at.rx`; a line whose rate is missing or "failed" measured nothing.
 */
function ratesOf(lines, at = { size: 0, rx: 1 }) {
  const rates = new Map();
  for (const line of lines.split('\n')) {
    const fields = line.split(' ');
    const rx = fields[at.rx];
    if (rx && rx !== 'failed') rates.set(Number(fields[at.size]), Number(rx));
  }
  return rates;
}

/** One host measurement of a kernel variant, over veth and a bridge between network namespaces. */
function kernelOnHost(id) {
  const [socket, batching] = PATHS[id].kernel;
  const result = spawnSync(
    'bash',
    ['test/bench/kernel-host.sh', socket, batching, '64', String(DURATION_S), String(WARMUP_S), ...SIZES.map(String)],
    { cwd: root, encoding: 'utf8' },
  );
  // A size that failed prints "SIZE failed" and its reason on stderr, with exit 0.
  if (result.status !== 0 || / failed$/m.test(result.stdout))
    console.error(`host ${id}: exit ${result.status}:\n${result.stderr.split('\n').slice(-5).join('\n')}`);
  return ratesOf(result.stdout);
}

/** One host measurement of the path with the switches tier's harness: the receive rate per frame size. */
function onHost(id) {
  if (PATHS[id].kernel) return kernelOnHost(id);
  const work = mkdtempSync(path.join(tmpdir(), 'sb-bench-cluster-'));
  try {
    const measurements = path.join(work, 'measurements');
    const result = spawnSync('bash', ['test/switches/bench.sh'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...PATHS[id].host,
        BURST: String(PATHS[id].burst ?? BURST),
        ROUNDS: '1',
        BENCH_PATHS: id,
        MEASUREMENTS: measurements,
      },
    });
    let lines = '';
    try {
      lines = readFileSync(measurements, 'utf8');
    } catch {
      console.error(
        `host ${id}: no measurements (exit ${result.status}):\n${result.stderr.split('\n').slice(-5).join('\n')}`,
      );
    }
    // ROUND ID SIZE RX_PPS TX_PPS
    return ratesOf(lines, { size: 2, rx: 3 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const spread = (values, format) =>
  values.length
    ? `${format(median(values))} [${format(Math.min(...values))}-${format(Math.max(...values))}]`
    : 'no measurement';
const mpps = (v) => (v / 1e6).toFixed(2);
/** Wide enough for the longest path id (raw-single) and a space. */
const PATH_COLUMN = 12;

/**
 * The round trip of a cache line between CPUs 0 and 1 now, in ns (median of 1 ms samples over
 * 200 ms). On this VM it flips, every few to tens of seconds, between about 55 ns (the two vCPUs on
 * cores that share an L3 cache) and about 330 ns (not), and every path's programs on the two CPUs
 * share cache lines (memif's rings, a switch's virtio rings): so each measurement is bracketed by it.
 */
const cacheLineNs = () => {
  const result = spawnSync(path.join(root, 'native/build/sb-cacheline'), ['0', '1', '200'], { encoding: 'utf8' });
  return Number(/^round-trip-ns (\S+)/.exec(result.stdout)?.[1] ?? NaN);
};
/** Below this round trip the two vCPUs share a cache; the two states measured are far apart on either side. */
const NEAR_NS = 150;
/**
 * "near" or "far" when the round trip was on that side before and after the measurement, "moved"
 * when it changed sides, "unknown" when the probe failed.
 */
const cacheState = (before, after) => {
  if (Number.isNaN(before) || Number.isNaN(after)) return 'unknown';
  if (before < NEAR_NS && after < NEAR_NS) return 'near';
  return before >= NEAR_NS && after >= NEAR_NS ? 'far' : 'moved';
};

/** Runs `measure`, bracketed by the cache-line round trip: its rates per size and the cache's state. */
const bracketed = async (measure) => {
  const before = cacheLineNs();
  const rates = await measure();
  const after = cacheLineNs();
  return { rates, before, after, state: cacheState(before, after) };
};

const samples = new Map(); // `${id} ${size}` → { cluster: [], host: [], ratio: [], nearRatio: [], nearCluster: [] }
const trace = []; // one line per measurement, beside the cache-line round trip around it
const traced = (round, id, where, { rates, before, after, state }) =>
  trace.push(
    `${String(round).padEnd(7)}${id.padEnd(PATH_COLUMN)}${where.padEnd(12)}${`${before.toFixed(0)} / ${after.toFixed(0)}`.padEnd(17)}${state.padEnd(8)}${SIZES.map((size) => (rates.has(size) ? mpps(rates.get(size)) : '-').padEnd(10)).join('')}`,
  );
for (let round = 1; round <= ROUNDS; round++) {
  for (const id of wanted) {
    console.error(`round ${round}/${ROUNDS}: ${id} in-cluster`);
    const cluster = await bracketed(
      async () =>
        new Map([...(await inCluster(id, `bench-${id}-r${round}`)).entries()].map(([size, [rate]]) => [size, rate])),
    );
    traced(round, id, 'in-cluster', cluster);
    console.error(`round ${round}/${ROUNDS}: ${id} on the host`);
    const host = await bracketed(async () => onHost(id));
    traced(round, id, 'host', host);
    const bothNear = cluster.state === 'near' && host.state === 'near';
    for (const size of SIZES) {
      const key = `${id} ${size}`;
      const entry = samples.get(key) ?? { cluster: [], host: [], ratio: [], nearRatio: [], nearCluster: [] };
      const [inside, outside] = [cluster.rates.get(size), host.rates.get(size)];
      if (inside !== undefined) entry.cluster.push(inside);
      if (inside !== undefined && cluster.state === 'near') entry.nearCluster.push(inside);
      if (outside !== undefined) entry.host.push(outside);
      if (inside !== undefined && outside !== undefined) {
        entry.ratio.push(inside / outside);
        if (bothNear) entry.nearRatio.push(inside / outside);
      }
      samples.set(key, entry);
    }
  }
}

console.log(`In-cluster / host maximum receive rate, ${ROUNDS} interleaved rounds: median [min-max]`);
console.log('Placement: the device under test alone on CPU 1, sender and receiver on CPU 0 (isolated-dut).');
// Interference from the rest of the machine only ever lowers a maximum rate, so the best of the rounds
// is each side's least disturbed estimate of the path's capacity: their ratio ("best") compares
// capacities, where the per-round ratio also compares two draws of the machine's state.
// "near rounds" pairs only the rounds whose two measurements both had the vCPUs sharing a cache before
// and after: the operator's cost, with the hypervisor's placement held equal.
console.log(
  `${'path'.padEnd(PATH_COLUMN)}${'size'.padEnd(7)}${'ratio'.padEnd(20)}${'best'.padEnd(7)}${'near rounds'.padEnd(24)}${'in-cluster Mpps'.padEnd(24)}host Mpps`,
);
const bestRatio = (cluster, host) =>
  cluster.length && host.length ? (Math.max(...cluster) / Math.max(...host)).toFixed(2) : '-';
const ratioSpread = (values) => spread(values, (v) => v.toFixed(2));
for (const [key, { cluster, host, ratio, nearRatio }] of samples) {
  const [id, size] = key.split(' ');
  const near = nearRatio.length ? `${ratioSpread(nearRatio)} (${nearRatio.length})` : 'none';
  console.log(
    `${id.padEnd(PATH_COLUMN)}${`${size} B`.padEnd(7)}${ratioSpread(ratio).padEnd(20)}${bestRatio(cluster, host).padEnd(7)}${near.padEnd(24)}${spread(cluster, mpps).padEnd(24)}${spread(host, mpps)}`,
  );
}

console.log('');
console.log(
  `Each measurement, bracketed by the CPU 0-1 cache-line round trip (near: below ${NEAR_NS} ns before and after; Mpps per size)`,
);
console.log(
  `${'round'.padEnd(7)}${'path'.padEnd(PATH_COLUMN)}${'where'.padEnd(12)}${'ns before/after'.padEnd(17)}${'cache'.padEnd(8)}${SIZES.map((size) => `${size} B`.padEnd(10)).join('')}`,
);
for (const line of trace) console.log(line);

const spreadOf = (values) => (values.length > 1 ? `${(Math.max(...values) / Math.min(...values)).toFixed(2)}x` : '-');
const spreadPaths = (process.env.SPREAD_PATHS ?? 'memif,testpmd').split(',').filter(Boolean);
if (spreadPaths.length) {
  console.log('');
  console.log(`Repetition spread of max trials in-cluster (fastest / slowest), ${ROUNDS} repetitions each`);
  console.log(
    `${'path'.padEnd(PATH_COLUMN)}${'size'.padEnd(7)}${'isolated-dut'.padEnd(16)}${'near only'.padEnd(16)}${'shared'.padEnd(16)}shared Mpps`,
  );
}
for (const id of spreadPaths) {
  if (!PATHS[id]) throw new Error(`SPREAD_PATHS: ${id} is not one of ${Object.keys(PATHS).join(', ')}`);
  console.error(`spread: ${id} in-cluster under cpuPolicy shared, ${ROUNDS} repetitions`);
  const shared = await inCluster(id, `bench-${id}-shared`, { cpuPolicy: 'shared', repetitions: ROUNDS });
  for (const size of SIZES) {
    const { cluster: isolated = [], nearCluster = [] } = samples.get(`${id} ${size}`) ?? {};
    const floating = shared.get(size) ?? [];
    console.log(
      `${id.padEnd(PATH_COLUMN)}${`${size} B`.padEnd(7)}${spreadOf(isolated).padEnd(16)}${spreadOf(nearCluster).padEnd(16)}${spreadOf(floating).padEnd(16)}${spread(floating, mpps)}`,
    );
  }
}

const ndrPaths = (process.env.NDR_PATHS ?? 'testpmd').split(',').filter(Boolean);
const NDR_RUNS = Number(process.env.NDR_RUNS ?? 3);
if (ndrPaths.length) {
  console.log('');
  console.log(`64 B NDR and PDR (0.5 %) in-cluster under isolated-dut, ${NDR_RUNS} searches each (paced trials)`);
  console.log(
    `${'path'.padEnd(PATH_COLUMN)}${'NDR Mpps'.padEnd(28)}${'spread'.padEnd(9)}${'PDR Mpps'.padEnd(28)}spread`,
  );
}
for (const id of ndrPaths) {
  if (!PATHS[id]) throw new Error(`NDR_PATHS: ${id} is not one of ${Object.keys(PATHS).join(', ')}`);
  const found = { ndr: [], pdr: [] };
  for (let i = 1; i <= NDR_RUNS; i++) {
    console.error(`ndr-pdr: ${id} search ${i}/${NDR_RUNS}`);
    const search = {
      ...spec(PATHS[id]),
      traffic: { packetSizes: [64], burstSizes: [PATHS[id].burst ?? BURST] },
      method: {
        type: 'ndr-pdr',
        ndrPdr: {
          lossRatios: [0, 0.005],
          precision: 0.02,
          minRatePps: 100_000,
          maxRatePps: 8_000_000,
          searchTrialDuration: '4s',
        },
      },
    };
    const run = await runInCluster(`bench-${id}-ndr${i}`, search);
    const point = run.status.summary?.find((p) => p.packetSize === 64);
    if (point?.ndr) found.ndr.push(point.ndr.pps);
    const pdr = point?.pdr?.find((p) => p.lossRatio === 0.005);
    if (pdr) found.pdr.push(pdr.pps);
  }
  console.log(
    `${id.padEnd(PATH_COLUMN)}${spread(found.ndr, mpps).padEnd(28)}${spreadOf(found.ndr).padEnd(9)}${spread(found.pdr, mpps).padEnd(28)}${spreadOf(found.pdr)}`,
  );
}
