import { printable, runCsv, runDocument } from '../../../src/cli/export.js';

const runJson = (run: Parameters<typeof runDocument>[0]) => printable('json', runDocument(run));
import { lossPlaced, placed, search, sweep } from './fixtures.js';

describe('export', () => {
  test('JSON: the run, the spec it ran, summary and every trial', () => {
    const parsed = JSON.parse(runJson(sweep)) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      namespace: 'lab',
      benchmark: 'tp',
      run: 'tp-2',
      datapath: 'testpmd',
      trigger: 'initial',
      phase: 'Succeeded',
      node: 'node-a',
    });
    expect(parsed.summary).toEqual(sweep.status?.summary);
    expect(parsed.trials).toEqual(sweep.status?.trials);
    expect((parsed.spec as { datapath: string }).datapath).toBe('testpmd');
  });

  test('CSV: a header and one row per trial, the run on every row, RFC 4180 quoting', () => {
    const lines = runCsv(search).split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    const header = (lines[0] as string).split(',');
    expect(header.slice(0, 11)).toEqual([
      'namespace',
      'benchmark',
      'run',
      'datapath',
      'index',
      'frame_size_bytes',
      'burst',
      'repetition',
      'purpose',
      'outcome',
      'offered_pps',
    ]);
    const cell = (line: string | undefined, name: string) => (line as string).split(',')[header.indexOf(name)];
    expect(cell(lines[1], 'rx_pps_mean')).toBe('1500000');
    expect(cell(lines[1], 'purpose')).toBe('search');
    expect(cell(lines[1], 'latency_p50_ns')).toBe('');
    expect(lines[2]).toMatch(/^lab,mf,mf-1,memif,1,64,16,,verify,Measured,1400000,/);
    expect(lines[2]?.endsWith(',"rate found, ""NDR"", verified"')).toBe(true);
  });

  test('JSON carries where each trial lost its frames as the status has it', () => {
    const trials = (JSON.parse(runJson(lossPlaced)) as { trials: unknown[] }).trials;
    expect(trials).toEqual(lossPlaced.status?.trials);
    expect(trials[3]).toMatchObject({ lossLocatedBy: 'programs', lostAtReceiverRing: 100, lostUnlocated: 900 });
    expect(trials[3]).not.toHaveProperty('lostInSwitch');
  });

  test.each([
    // index, located by, sender ring, switch, receiver ring, receiver, unlocated: empty where the status has none
    [0, 'switch-counters', '0', '0', '0', '0', '0'],
    [1, 'switch-counters', '0', '0', '59500', '0', '500'],
    [2, 'switch-counters', '12000', '30000', '0', '0', '0'],
    [3, 'programs', '0', '', '100', '', '900'],
    [4, '', '', '', '', '', ''],
  ])('CSV: where trial %i lost its frames', (index, ...location) => {
    const [header = '', ...rows] = runCsv(lossPlaced).split('\r\n');
    const columns = header.split(',');
    const row = (rows[index] as string).split(',');
    expect(
      [
        'loss_located_by',
        'lost_at_sender_ring',
        'lost_in_switch',
        'lost_at_receiver_ring',
        'lost_at_receiver',
        'lost_unlocated',
      ].map((name) => row[columns.indexOf(name)]),
    ).toEqual(location);
  });

  test.each([
    // name, run, JSON placement, per trial: placement, cpus_sender, cpus_receiver, cpus_switch
    [
      'exclusive, the switch saying its CPUs for trial 0',
      placed('exclusive'),
      'exclusive',
      [
        ['exclusive', '2', '3', '4'],
        ['exclusive', '2', '3', ''],
        ['exclusive', '', '', ''],
      ],
    ],
    [
      'isolated-dut: the failed trial, which records none, by its run',
      placed('isolated-dut'),
      'isolated-dut',
      [
        ['isolated-dut', '2', '3', '4'],
        ['isolated-dut', '2', '3', ''],
        ['isolated-dut', '', '', ''],
      ],
    ],
    [
      "shared on memif, trials of an older operator that recorded none: the run's spec",
      placed('shared', 'memif', false),
      'shared',
      [
        ['shared', '2', '3', ''],
        ['shared', '2', '3', ''],
        ['shared', '', '', ''],
      ],
    ],
  ] as const)('placement and CPUs: %s', (_name, run, placement, expected) => {
    const [header = '', ...rows] = runCsv(run).trimEnd().split('\r\n');
    const columns = header.split(',');
    const names = ['placement', 'cpus_sender', 'cpus_receiver', 'cpus_switch'];
    // The placement next to the CPUs it ran on.
    expect(columns.slice(columns.indexOf('placement'), columns.indexOf('placement') + 4)).toEqual(names);
    // The message holds no comma here, so splitting on commas is safe.
    expect(rows.map((row) => names.map((name) => row.split(',')[columns.indexOf(name)]))).toEqual(expected);
    const json = JSON.parse(runJson(run)) as { placement: string; trials: unknown[] };
    expect(json.placement).toBe(placement);
    // The trials as the status has them: a failed trial records no placement.
    expect(json.trials).toEqual(run.status?.trials);
  });

  test.each([
    ['a sweep', sweep, 7],
    ['an empty run', { ...sweep, status: {} }, 0],
  ])('CSV of %s has as many rows as trials', (_name, run, rows) => {
    expect(runCsv(run).trimEnd().split('\r\n')).toHaveLength(rows + 1);
  });
});
