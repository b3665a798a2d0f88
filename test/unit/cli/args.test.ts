import { parseInvocation, UsageError } from '../../../src/cli/args.js';

describe('command line', () => {
  test.each([
    ['list', ['list'], { command: { kind: 'list', allNamespaces: false } }],
    ['list in every namespace', ['list', '-A'], { command: { kind: 'list', allNamespaces: true } }],
    [
      'global flags anywhere',
      ['-n', 'lab', 'show', 'tp', '--kubeconfig', '/k'],
      { namespace: 'lab', kubeconfig: '/k', command: { kind: 'show', benchmark: 'tp', watch: false, wide: false } },
    ],
    [
      'show a run by number',
      ['show', 'tp', '--run', '3'],
      { command: { kind: 'show', benchmark: 'tp', run: 3, watch: false, wide: false } },
    ],
    [
      'show --watch',
      ['show', 'tp', '--watch'],
      { command: { kind: 'show', benchmark: 'tp', watch: true, wide: false } },
    ],
    [
      'show -o wide: where each trial lost its frames, place by place',
      ['show', 'tp', '-o', 'wide'],
      { command: { kind: 'show', benchmark: 'tp', watch: false, wide: true } },
    ],
    [
      'figure 2 as PNG',
      ['plot', 'tp', '--figure', '2', '-o', 'f2.PNG'],
      { command: { kind: 'plot', benchmarks: ['tp'], figure: 2, output: 'f2.PNG', format: 'png' } },
    ],
    [
      'figure 3 of every benchmark',
      ['plot', '--figure=3', '--output', 'f3.svg'],
      { command: { kind: 'plot', benchmarks: [], figure: 3, output: 'f3.svg', format: 'svg' } },
    ],
    [
      'figure 3 of the benchmarks named',
      ['plot', 'a', 'b', '--figure', '3', '-o', 'f3.svg'],
      { command: { kind: 'plot', benchmarks: ['a', 'b'], figure: 3, output: 'f3.svg', format: 'svg' } },
    ],
    ['run now', ['run', 'tp'], { command: { kind: 'run', benchmark: 'tp' } }],
    [
      'export csv of run 2 to a file',
      ['export', 'tp', '--format', 'csv', '--run', '2', '-o', 'x.csv'],
      { command: { kind: 'export', benchmark: 'tp', format: 'csv', run: 2, output: 'x.csv' } },
    ],
    ['results by run name', ['results', 'tp-1'], { command: { kind: 'results', run: 'tp-1', wide: false } }],
    ['results wide', ['results', 'tp-1', '--output=wide'], { command: { kind: 'results', run: 'tp-1', wide: true } }],
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
      ['export', 'tp', '--format', 'json', '--run', '0'],
      '--run must be a positive integer (a run number), got "0"',
    ],
    ['figure missing', ['plot', 'tp', '-o', 'a.svg'], '--figure is required: one of 2, 3'],
    ['figure out of range', ['plot', 'tp', '--figure', '1', '-o', 'a.svg'], '--figure must be one of 2, 3, got "1"'],
    [
      'figure 2 of two benchmarks',
      ['plot', 'a', 'b', '--figure', '2', '-o', 'a.svg'],
      'plot --figure 2 takes exactly one benchmark, got a b',
    ],
    [
      'output missing',
      ['plot', 'tp', '--figure', '2'],
      '-o/--output is required: the image file to write (.svg or .png)',
    ],
    [
      'output of another type',
      ['plot', 'tp', '--figure', '2', '-o', 'a.pdf'],
      '-o/--output must end in .svg or .png, got "a.pdf"',
    ],
    [
      '--run with figure 3 across benchmarks',
      ['plot', '--figure', '3', '-o', 'a.svg', '--run', '2'],
      '--run needs exactly one benchmark: run numbers are per benchmark',
    ],
    ['export format missing', ['export', 'tp'], '--format is required: one of json, csv'],
    ['export format unknown', ['export', 'tp', '--format', 'yaml'], '--format must be one of json, csv, got "yaml"'],
    ['show without a benchmark', ['show'], 'show takes exactly one benchmark, got none'],
    ['a flag another command takes', ['list', '--watch'], 'list does not take --watch'],
    ['-A outside list', ['show', 'tp', '-A'], 'show does not take --all-namespaces'],
    ['empty namespace', ['list', '-n', ''], '--namespace must not be empty'],
    ['a table format other than wide', ['show', 'tp', '-o', 'json'], '-o/--output of show must be wide, got "json"'],
    ['results to a file', ['results', 'tp-1', '-o', 'x.txt'], '-o/--output of results must be wide, got "x.txt"'],
    ['-o wide on list', ['list', '-o', 'wide'], 'list does not take --output'],
  ])('%s is refused naming the flag', (_name, argv, message) => {
    expect(() => parseInvocation(argv)).toThrow(UsageError);
    expect(() => parseInvocation(argv)).toThrow(message);
  });
});
