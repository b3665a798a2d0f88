import { parseInvocation, UsageError } from '../../../src/cli/args.js';

describe('command line', () => {
  test.each([
    ['list', ['list'], { command: { kind: 'list', allNamespaces: false, output: 'table' } }],
    ['list in every namespace', ['list', '-A'], { command: { kind: 'list', allNamespaces: true, output: 'table' } }],
    ['list as YAML', ['list', '-o', 'yaml'], { command: { kind: 'list', allNamespaces: false, output: 'yaml' } }],
    [
      'global flags anywhere, kubectl-style',
      ['-n', 'lab', 'show', 'tp', '--kubeconfig', '/k', '--context', 'kind-lab'],
      {
        namespace: 'lab',
        kubeconfig: '/k',
        context: 'kind-lab',
        command: { kind: 'show', benchmark: 'tp', watch: false, output: 'table' },
      },
    ],
    [
      'show a run by number',
      ['show', 'tp', '--run', '3'],
      { command: { kind: 'show', benchmark: 'tp', run: 3, watch: false, output: 'table' } },
    ],
    [
      'show --watch',
      ['show', 'tp', '--watch'],
      { command: { kind: 'show', benchmark: 'tp', watch: true, output: 'table' } },
    ],
    [
      'show -o wide: where each trial lost its frames, place by place',
      ['show', 'tp', '-o', 'wide'],
      { command: { kind: 'show', benchmark: 'tp', watch: false, output: 'wide' } },
    ],
    [
      'show -o json: the run as export writes it',
      ['show', 'tp', '-o', 'json'],
      { command: { kind: 'show', benchmark: 'tp', watch: false, output: 'json' } },
    ],
    [
      'figure 2 as PNG',
      ['plot', 'tp', '--figure', '2', '--output-file', 'f2.PNG'],
      { command: { kind: 'plot', benchmarks: ['tp'], figure: 2, outputFile: 'f2.PNG', format: 'png' } },
    ],
    [
      'figure 3 of every benchmark',
      ['plot', '--figure=3', '--output-file=f3.svg'],
      { command: { kind: 'plot', benchmarks: [], figure: 3, outputFile: 'f3.svg', format: 'svg' } },
    ],
    [
      'figure 3 of the benchmarks named',
      ['plot', 'a', 'b', '--figure', '3', '--output-file', 'f3.svg'],
      { command: { kind: 'plot', benchmarks: ['a', 'b'], figure: 3, outputFile: 'f3.svg', format: 'svg' } },
    ],
    [
      "show one node's run of a fan-out round",
      ['show', 'nb', '--run', '3', '--node', 'node-a'],
      { command: { kind: 'show', benchmark: 'nb', run: 3, node: 'node-a', watch: false, output: 'table' } },
    ],
    [
      'the pool figure of a fan-out benchmark',
      ['plot', 'nb', '--figure', 'pool', '--output-file', 'pool.png'],
      { command: { kind: 'plot', benchmarks: ['nb'], figure: 'pool', outputFile: 'pool.png', format: 'png' } },
    ],
    [
      "figure 2 of one node's run",
      ['plot', 'nb', '--figure', '2', '--node', 'node-a', '--output-file', 'f2.svg'],
      { command: { kind: 'plot', benchmarks: ['nb'], figure: 2, outputFile: 'f2.svg', format: 'svg', node: 'node-a' } },
    ],
    [
      "figure 3 of one node's run",
      ['plot', 'nb', '--figure', '3', '--node', 'node-a', '--output-file', 'f3.svg'],
      { command: { kind: 'plot', benchmarks: ['nb'], figure: 3, outputFile: 'f3.svg', format: 'svg', node: 'node-a' } },
    ],
    [
      'the pool of a fan-out benchmark',
      ['pool', 'nb'],
      { command: { kind: 'pool', benchmark: 'nb', output: 'table' } },
    ],
    ['the pool, wide', ['pool', 'nb', '-o', 'wide'], { command: { kind: 'pool', benchmark: 'nb', output: 'wide' } }],
    [
      'status.pool as YAML',
      ['pool', '-o', 'yaml', 'nb'],
      { command: { kind: 'pool', benchmark: 'nb', output: 'yaml' } },
    ],
    ['run now', ['run', 'tp'], { command: { kind: 'run', benchmark: 'tp' } }],
    [
      'export csv of run 2 to a file',
      ['export', 'tp', '-o', 'csv', '--run', '2', '--output-file', 'x.csv'],
      { command: { kind: 'export', benchmark: 'tp', format: 'csv', run: 2, outputFile: 'x.csv' } },
    ],
    [
      "export one node's latest finished run",
      ['export', 'nb', '-o', 'json', '--node', 'ip-10-0-1-7.eu-west-1.compute.internal'],
      {
        command: {
          kind: 'export',
          benchmark: 'nb',
          format: 'json',
          node: 'ip-10-0-1-7.eu-west-1.compute.internal',
        },
      },
    ],
    [
      'export yaml to stdout',
      ['export', 'tp', '-o', 'yaml'],
      { command: { kind: 'export', benchmark: 'tp', format: 'yaml' } },
    ],
    ['results by run name', ['results', 'tp-1'], { command: { kind: 'results', run: 'tp-1', output: 'table' } }],
    [
      'results wide',
      ['results', 'tp-1', '--output=wide'],
      { command: { kind: 'results', run: 'tp-1', output: 'wide' } },
    ],
    [
      'compare named benchmarks as JSON',
      ['compare', 'mf', 'tp', '-o', 'json'],
      { command: { kind: 'compare', benchmarks: ['mf', 'tp'], output: 'json' } },
    ],
    ['version', ['version'], { command: { kind: 'version', output: 'text' } }],
    ['version as JSON', ['version', '-o', 'json'], { command: { kind: 'version', output: 'json' } }],
    ['bash completion', ['completion', 'bash'], { command: { kind: 'completion', shell: 'bash' } }],
    [
      'what the completion scripts ask, never parsed strictly',
      ['__complete', 'show', '--bogus', ''],
      { command: { kind: 'complete', words: ['show', '--bogus', ''] } },
    ],
    [
      'completion reads the global flags typed so far, for its lookups',
      ['__complete', '--kubeconfig=/k', '-n', 'lab', 'show', '--context'],
      {
        kubeconfig: '/k',
        namespace: 'lab',
        command: { kind: 'complete', words: ['--kubeconfig=/k', '-n', 'lab', 'show', '--context'] },
      },
    ],
    ['help', ['plot', '--help'], { command: { kind: 'help' } }],
  ])('%s', (_name, argv, expected) => {
    expect(parseInvocation(argv)).toEqual(expected);
  });

  test.each([
    ['no command', [], 'a command is required'],
    ['unknown command', ['graph'], 'unknown command "graph"'],
    ['unknown flag', ['list', '--color'], "Unknown option '--color'"],
    [
      'run number not a number',
      ['show', 'tp', '--run', 'latest'],
      '--run must be a positive integer (a run number), got "latest"',
    ],
    [
      'run number zero',
      ['export', 'tp', '-o', 'json', '--run', '0'],
      '--run must be a positive integer (a run number), got "0"',
    ],
    ['figure missing', ['plot', 'tp', '--output-file', 'a.svg'], '--figure is required: one of 2, 3'],
    [
      'figure out of range',
      ['plot', 'tp', '--figure', '1', '--output-file', 'a.svg'],
      '--figure must be one of 2, 3, pool, got "1"',
    ],
    [
      'figure 2 of two benchmarks',
      ['plot', 'a', 'b', '--figure', '2', '--output-file', 'a.svg'],
      'plot --figure 2 takes exactly one benchmark, got a b',
    ],
    ['output file missing', ['plot', 'tp', '--figure', '2'], '--output-file is required: the image file to write'],
    [
      'output file of another type',
      ['plot', 'tp', '--figure', '2', '--output-file', 'a.pdf'],
      '--output-file must end in .svg or .png, got "a.pdf"',
    ],
    [
      'a plot format by -o',
      ['plot', 'tp', '--figure', '2', '--output-file', 'a.svg', '-o', 'svg'],
      'plot does not take --output',
    ],
    [
      '--run with figure 3 across benchmarks',
      ['plot', '--figure', '3', '--output-file', 'a.svg', '--run', '2'],
      '--run needs exactly one benchmark: run numbers are per benchmark',
    ],
    [
      'the pool figure of two benchmarks',
      ['plot', 'a', 'b', '--figure', 'pool', '--output-file', 'a.svg'],
      'plot --figure pool takes exactly one benchmark, got a b',
    ],
    [
      'the pool figure of one round',
      ['plot', 'nb', '--figure', 'pool', '--run', '3', '--output-file', 'a.svg'],
      "--figure pool takes no --run or --node: it draws every node's latest run",
    ],
    [
      'the pool figure of one node',
      ['plot', 'nb', '--figure', 'pool', '--node', 'node-a', '--output-file', 'a.svg'],
      "--figure pool takes no --run or --node: it draws every node's latest run",
    ],
    [
      '--node with figure 3 across benchmarks',
      ['plot', 'a', 'b', '--figure', '3', '--node', 'node-a', '--output-file', 'a.svg'],
      "--node needs exactly one benchmark: it picks a node's run of a fan-out benchmark",
    ],
    ['an empty node', ['show', 'nb', '--node='], '--node must not be empty'],
    ['--node where no run is picked', ['pool', 'nb', '--node', 'node-a'], 'pool does not take --node'],
    ['pool without a benchmark', ['pool'], 'pool takes exactly one benchmark, got none'],
    ['pool of two benchmarks', ['pool', 'a', 'b'], 'pool takes exactly one benchmark, got a b'],
    [
      'the pool as CSV',
      ['pool', 'nb', '-o', 'csv'],
      '-o/--output of pool must be one of table, wide, json, yaml, got "csv"',
    ],
    ['the pool figure by pool', ['pool', 'nb', '--output-file', 'p.svg'], 'pool does not take --output-file'],
    ['export format missing', ['export', 'tp'], '-o/--output of export is required: one of json, yaml, csv'],
    [
      'export format unknown',
      ['export', 'tp', '-o', 'xml'],
      '-o/--output of export must be one of json, yaml, csv, got "xml"',
    ],
    ['show without a benchmark', ['show'], 'show takes exactly one benchmark, got none'],
    ['a flag another command takes', ['list', '--watch'], 'list does not take --watch'],
    ['-A outside list', ['show', 'tp', '-A'], 'show does not take --all-namespaces'],
    ['empty namespace', ['list', '-n', ''], '--namespace must not be empty'],
    ['empty context', ['list', '--context='], '--context must not be empty'],
    [
      'a print format that does not exist',
      ['show', 'tp', '-o', 'xml'],
      '-o/--output of show must be one of table, wide, json, yaml, got "xml"',
    ],
    [
      'results to a file by -o',
      ['results', 'tp-1', '-o', 'x.txt'],
      '-o/--output of results must be one of table, wide, json, yaml, got "x.txt"',
    ],
    ['results to a file', ['results', 'tp-1', '--output-file', 'x.txt'], 'results does not take --output-file'],
    ['a shell without completion', ['completion', 'fish'], 'completion SHELL must be one of bash, zsh, got "fish"'],
    ['version with an argument', ['version', 'x'], 'version takes no arguments, got x'],
  ])('%s is refused naming the flag', (_name, argv, message) => {
    expect(() => parseInvocation(argv)).toThrow(UsageError);
    expect(() => parseInvocation(argv)).toThrow(message);
  });
});
