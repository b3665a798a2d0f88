// The kubectl plugin as a user runs it: the release archive (`make plugin-archive`) unpacked into an
// empty directory on PATH, as krew does, found by the real kubectl there, pointed at the local cluster's kubeconfig, reading two benchmarks (a testpmd sweep and a
// memif sweep) that ran there to Succeeded with real packets. Every command is checked against the
// runs' status; the figures are decoded (PNG) and searched for the status's data points (SVG).
// The rendered figures are kept in SWITCHBENCH_FIGURES_DIR when it is set, for reports.
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { parse } from 'yaml';
import {
  BENCHMARK_PLURAL,
  GROUP,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from '../../src/api/v1alpha1/types.js';
import { formatPps } from '../../src/results/summary.js';
import { clusterDir, kubeconfigPath } from '../cluster/kube.js';
import { e2eSession } from './support.js';

const session = e2eSession('e2e-plugin');
const repo = fileURLToPath(new URL('../..', import.meta.url));
const prefix = mkdtempSync(path.join(tmpdir(), 'switchbench-plugin-'));
const out = mkdtempSync(path.join(tmpdir(), 'switchbench-figures-'));
const kubectl = path.join(clusterDir, 'bin', 'kubectl');
const rates = [5_000, 10_000, 20_000];

function sweep(name: string, datapath: 'testpmd' | 'memif'): SwitchBenchmark {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'SwitchBenchmark',
    metadata: { name },
    spec: {
      datapath,
      traffic: { packetSizes: [64, 512], burstSizes: [16] },
      method: { type: 'sweep', sweep: { ratesPps: rates } },
      trial: {
        duration: '4s',
        warmup: '1s',
        window: '2s',
        sampleInterval: '1s',
        repetitions: 1,
        generatorTolerance: 0.05,
      },
      resources: {
        cpuPolicy: 'shared',
        cpus: { sender: 1, receiver: 1, switch: 1 },
        memoryMi: 256,
        hugepages: { pageSize: '2Mi', perPodMi: 512 },
      },
    } as unknown as SwitchBenchmark['spec'],
  };
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `kubectl switchbench ARGS` against the test cluster, in the test's namespace. Asynchronous: the
 * operator runs in this process and must keep reconciling while the plugin waits on it.
 */
function plugin(...args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    execFile(
      kubectl,
      ['switchbench', '--kubeconfig', kubeconfigPath, '-n', session.namespace(), ...args],
      {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${prefix}:${process.env.PATH ?? ''}` },
        timeout: 300_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ status: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

async function ok(...args: string[]): Promise<string> {
  const result = await plugin(...args);
  expect({ args, status: result.status, stderr: result.stderr }).toEqual({
    args,
    status: 0,
    stderr: expect.any(String),
  });
  return result.stdout;
}

/** Labels of the SVG's point marks: trial index and receive rate as the tooltip shows it. */
const pointLabels = (svg: string) =>
  [...svg.matchAll(/aria-label="[^"]*trial: (\d+); [^"]*rx pps: ([0-9.]+)"/g)].map((m) => `${m[1]}:${m[2]}`).sort();

function decodePng(file: string): { width: number; height: number; inked: number; blue: number } {
  const png = PNG.sync.read(readFileSync(file));
  let inked = 0;
  let blue = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i] as number, png.data[i + 1] as number, png.data[i + 2] as number];
    if (r < 240 || g < 240 || b < 240) inked++;
    // Vega's first category colour, #4c78a8: the first series' marks.
    if (Math.abs(r - 0x4c) < 24 && Math.abs(g - 0x78) < 24 && Math.abs(b - 0xa8) < 24) blue++;
  }
  return { width: png.width, height: png.height, inked, blue };
}

let testpmd: SwitchBenchmarkRun;
let memif: SwitchBenchmarkRun;

beforeAll(() => {
  const build = spawnSync('make', ['--no-print-directory', 'plugin-archive'], { cwd: repo, encoding: 'utf8' });
  if (build.status !== 0)
    throw new Error(`make plugin-archive failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
  const archive = build.stdout.split('\n').find((line) => line.endsWith('.tar.gz')) as string;
  const unpack = spawnSync('tar', ['-xzf', archive, '-C', prefix], { encoding: 'utf8' });
  if (unpack.status !== 0) throw new Error(`tar -xzf ${archive}: ${unpack.stderr}`);
});

afterAll(() => {
  const keep = process.env.SWITCHBENCH_FIGURES_DIR;
  if (keep) {
    mkdirSync(keep, { recursive: true });
    for (const file of ['figure2.svg', 'figure2.png', 'figure3.svg', 'figure3.png'])
      if (existsSync(path.join(out, file))) copyFileSync(path.join(out, file), path.join(keep, file));
  }
  rmSync(prefix, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});

test('a testpmd and a memif sweep run to Succeeded (the data the plugin shows)', async () => {
  [testpmd, memif] = await Promise.all([
    session.runToEnd(sweep('plug-testpmd', 'testpmd')),
    session.runToEnd(sweep('plug-memif', 'memif')),
  ]);
  for (const run of [testpmd, memif]) {
    expect(run.status?.phase).toBe('Succeeded');
    expect(run.status?.trials?.map((t) => [t.packetSize, t.offeredPps])).toEqual(
      [64, 512].flatMap((size) => rates.map((rate) => [size, rate])),
    );
    expect(run.status?.summary?.map((p) => p.packetSize)).toEqual([64, 512]);
  }
});

test('list: each benchmark with its data path, phase, last run and headline', async () => {
  const lines = (await ok('list')).trimEnd().split('\n');
  expect(lines[0]).toMatch(/^NAME +DATAPATH +METHOD +PHASE +LAST RUN +HEADLINE +NEXT RUN$/);
  expect(lines.slice(1).map((l) => l.split(/ {2,}/).slice(0, 5))).toEqual([
    ['plug-memif', 'memif', 'sweep', 'Succeeded', expect.stringMatching(/^plug-memif-1 Succeeded \d+[smh] ago$/)],
    ['plug-testpmd', 'testpmd', 'sweep', 'Succeeded', expect.stringMatching(/^plug-testpmd-1 Succeeded \d+[smh] ago$/)],
  ]);
  expect(lines[2]).toContain(testpmd.status?.headline as string);
  expect(await ok('list', '--all-namespaces')).toMatch(new RegExp(`^${session.namespace()} +plug-memif +memif`, 'm'));
});

test('show: Table 1 from the summary and a row per trial; --watch on a finished run ends at 100 %', async () => {
  const shown = await ok('show', 'plug-testpmd');
  const table1 = shown.split('Maximum throughput per frame size (Table 1):\n')[1]?.split('\n\nTrials:\n') ?? [];
  expect(
    table1[0]
      ?.split('\n')
      .slice(1)
      .map((l) => l.split(/ {2,}/).slice(0, 3)),
  ).toEqual((testpmd.status?.summary ?? []).map((p) => [`${p.packetSize}B`, '16', formatPps(p.maxRxPps as number)]));
  const [header = '', ...rows] = table1[1]?.trimEnd().split('\n') ?? [];
  const rxMean = header.split(/ {2,}/).indexOf('RX MEAN');
  expect(rxMean).toBeGreaterThan(0);
  expect(rows.map((l) => l.split(/ {2,}/)[rxMean])).toEqual(
    (testpmd.status?.trials ?? []).map((t) => (t.rxPpsMean === undefined ? '-' : formatPps(t.rxPpsMean))),
  );
  const watched = await plugin('show', 'plug-testpmd', '--watch');
  expect(watched.status).toBe(0);
  expect(watched.stderr).toContain(`plug-testpmd-1 Succeeded [${'#'.repeat(30)}] ${testpmd.status?.progress} 100%`);
  expect(await ok('show', 'plug-memif', '--run', '1')).toContain(
    'Run ' + `${session.namespace()}/plug-memif-1 of plug-memif: memif, Succeeded`,
  );
  expect(await ok('results', 'plug-memif-1')).toContain('RX MEAN');
});

test('export: JSON holds the status, CSV a row per trial with its figures', async () => {
  const json = JSON.parse(await ok('export', 'plug-testpmd', '-o', 'json')) as {
    run: string;
    summary: unknown;
    trials: unknown;
  };
  expect(json).toMatchObject({
    run: 'plug-testpmd-1',
    summary: testpmd.status?.summary,
    trials: testpmd.status?.trials,
  });
  const [header, ...rows] = (await ok('export', 'plug-testpmd', '-o', 'csv', '--run', '1')).trimEnd().split('\r\n');
  const columns = (header as string).split(',');
  const column = (name: string) => rows.map((r) => r.split(',')[columns.indexOf(name)]);
  expect(column('rx_pps_mean')).toEqual(
    (testpmd.status?.trials ?? []).map((t) => (t.rxPpsMean === undefined ? '' : String(t.rxPpsMean))),
  );
  expect(column('offered_pps')).toEqual((testpmd.status?.trials ?? []).map((t) => String(t.offeredPps)));
  expect(column('datapath')).toEqual(rows.map(() => 'testpmd'));
});

test('plot: figure 2 and figure 3 as SVG carrying the status data points, and as non-blank PNG', async () => {
  const f2 = (ext: string) => path.join(out, `figure2.${ext}`);
  const f3 = (ext: string) => path.join(out, `figure3.${ext}`);
  // A trial that failed after its retries has no figures, hence no point.
  const trials = (testpmd.status?.trials ?? []).filter((t) => t.outcome !== 'Failed');
  const points = [memif, testpmd].flatMap((run) => run.status?.summary ?? []).filter((p) => p.maxRxPps !== undefined);
  for (const ext of ['svg', 'png']) {
    expect(await ok('plot', 'plug-testpmd', '--figure', '2', '--output-file', f2(ext))).toBe(
      `wrote ${f2(ext)}: figure 2, ${trials.length} trials of run plug-testpmd-1\n`,
    );
    expect(await ok('plot', '--figure', '3', '--output-file', f3(ext))).toBe(
      `wrote ${f3(ext)}: figure 3, ${points.length} points from runs plug-memif-1, plug-testpmd-1\n`,
    );
  }

  expect(trials.length).toBeGreaterThanOrEqual(3);
  expect(pointLabels(readFileSync(f2('svg'), 'utf8'))).toEqual(
    trials.map((t) => `${t.index}:${(t.rxPpsMean as number).toFixed(1)}`).sort(),
  );
  const bars = [
    ...readFileSync(f3('svg'), 'utf8').matchAll(
      /aria-label="[^"]*data path: (\w+); [^"]*frame size: (\d+); [^"]*max rx pps: ([0-9.]+)"/g,
    ),
  ].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
  expect(bars.sort()).toEqual(
    [memif, testpmd]
      .flatMap((run) =>
        (run.status?.summary ?? []).map(
          (p) => `${run.spec.benchmark.datapath} ${p.packetSize} ${(p.maxRxPps as number).toFixed(1)}`,
        ),
      )
      .sort(),
  );

  for (const [file, svg] of [
    [f2('png'), f2('svg')],
    [f3('png'), f3('svg')],
  ] as const) {
    const image = decodePng(file);
    const [, width, height] = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(readFileSync(svg, 'utf8')) ?? [];
    expect([image.width, image.height]).toEqual([2 * Number(width), 2 * Number(height)]);
    // Axes, text and marks ink a few per cent of the image; the first series' colour is there.
    expect(image.inked / (image.width * image.height)).toBeGreaterThan(0.02);
    expect(image.blue).toBeGreaterThan(500);
  }
});

test("kubectl's shape: -o json|yaml, --context, version, and completion from the cluster's names", async () => {
  const listed = JSON.parse(await ok('list', '-o', 'json')) as { kind: string; items: SwitchBenchmark[] };
  expect({ kind: listed.kind, names: listed.items.map((b) => b.metadata.name) }).toEqual({
    kind: 'List',
    names: ['plug-memif', 'plug-testpmd'],
  });
  const results = JSON.parse(await ok('results', 'plug-memif-1', '-o', 'json')) as { run: string; trials: unknown };
  expect(results).toMatchObject({ run: 'plug-memif-1', trials: memif.status?.trials });
  expect(parse(await ok('show', 'plug-testpmd', '-o', 'yaml'))).toMatchObject({ summary: testpmd.status?.summary });
  // The kubeconfig's own context, named: the same cluster; a context it lacks: exit 1, naming the ones it has.
  const context = JSON.parse(
    spawnSync(kubectl, ['--kubeconfig', kubeconfigPath, 'config', 'view', '-o', 'json'], { encoding: 'utf8' }).stdout,
  ) as { 'current-context': string };
  expect(await ok('list', '--context', context['current-context'])).toContain('plug-testpmd');
  expect(await plugin('list', '--context', 'nowhere')).toMatchObject({
    status: 1,
    stderr: expect.stringContaining(`context "nowhere" is not in the kubeconfig (it has ${context['current-context']}`),
  });
  expect(JSON.parse(await ok('version', '-o', 'json'))).toEqual({
    plugin: expect.any(String),
    api: `${GROUP}/${VERSION}`,
  });
  // What kubectl runs to complete `kubectl switchbench show <TAB>`, from the archive.
  const completed = spawnSync(
    path.join(prefix, 'kubectl_complete-switchbench'),
    ['--kubeconfig', kubeconfigPath, '-n', session.namespace(), 'show', 'plug-'],
    { encoding: 'utf8', env: { ...process.env, PATH: `${prefix}:${process.env.PATH ?? ''}` } },
  );
  expect(completed.stdout).toBe('plug-memif\nplug-testpmd\n:4\n');
});

test('mistakes get a clear error: unknown benchmark, bad flag value, no such run', async () => {
  expect(await plugin('show', 'nope')).toMatchObject({
    status: 1,
    stderr: `error: SwitchBenchmark ${session.namespace()}/nope not found\n`,
  });
  expect(await plugin('plot', 'plug-testpmd', '--figure', '5', '--output-file', 'x.svg')).toMatchObject({
    status: 2,
    stderr: expect.stringMatching(/^error: --figure must be one of 2, 3, pool, got "5"\n/),
  });
  expect(await plugin('export', 'plug-testpmd', '-o', 'json', '--run', '7')).toMatchObject({
    status: 1,
    stderr: expect.stringContaining('has no run 7 (run plug-testpmd-7); runs: 1'),
  });
});

test('run: the run-now annotation is set to a fresh RFC 3339 timestamp; show --watch follows the run it starts to its end', async () => {
  const before = Date.now();
  expect(await ok('run', 'plug-memif')).toMatch(
    /^switchbenchmark.switchbench.io\/plug-memif run requested \(switchbench.io\/run-now=/,
  );
  const benchmark = (await session.custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: session.namespace(),
    plural: BENCHMARK_PLURAL,
    name: 'plug-memif',
  })) as SwitchBenchmark;
  const token = benchmark.metadata.annotations?.['switchbench.io/run-now'] as string;
  expect(token).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  expect(Date.parse(token)).toBeGreaterThanOrEqual(before - 1000);
  expect(Date.parse(token)).toBeLessThanOrEqual(Date.now());

  // Right after `run`, --watch waits for the operator to start the manual run, then draws its
  // progress (a line per change off a terminal) until it ends, and prints its tables.
  const watched = await plugin('show', 'plug-memif', '--watch');
  expect(watched.status).toBe(0);
  const bars = watched.stderr.split('\n').filter((l) => l.startsWith('plug-memif-2 '));
  const done = bars.map((l) => Number(/\] (\d+)\/6/.exec(l)?.[1] ?? 0));
  expect(done).toEqual([...done].sort((a, b) => a - b));
  expect(done.length).toBeGreaterThanOrEqual(3);
  expect(bars.at(-1)).toMatch(/^plug-memif-2 Succeeded \[#{30}\] 6\/6 100%/);
  expect(watched.stdout).toMatch(
    new RegExp(`^Run ${session.namespace()}/plug-memif-2 of plug-memif: memif, Succeeded 6/6`),
  );
  const manual = await session.readRun('plug-memif-2');
  expect(manual?.spec.trigger).toBe('manual');
});
