import { execFileSync } from 'node:child_process';
import { completionAnswer, completionScript, completionTarget } from '../../../src/cli/completion.js';

describe('completion', () => {
  test.each([
    [
      'the command',
      [''],
      { kind: 'words', candidates: expect.arrayContaining(['list', 'show', 'plot', 'completion']) },
    ],
    [
      'a flag of show',
      ['show', 'tp', '--'],
      { kind: 'words', candidates: expect.arrayContaining(['--run', '--watch', '--context']) },
    ],
    ['the formats of show', ['show', 'tp', '-o', ''], { kind: 'words', candidates: ['table', 'wide', 'json', 'yaml'] }],
    ['the formats of export', ['export', 'tp', '--output', ''], { kind: 'words', candidates: ['json', 'yaml', 'csv'] }],
    ['a figure', ['plot', '--figure', ''], { kind: 'words', candidates: ['2', '3', 'pool'] }],
    ['the pool command', ['po'], { kind: 'words', candidates: expect.arrayContaining(['pool']) }],
    ['a benchmark of pool', ['pool', ''], { kind: 'benchmarks' }],
    ['the formats of pool', ['pool', 'nb', '-o', ''], { kind: 'words', candidates: ['table', 'wide', 'json', 'yaml'] }],
    ['a flag of export', ['export', 'nb', '--'], { kind: 'words', candidates: expect.arrayContaining(['--node']) }],
    ['a node of the benchmark named', ['show', 'nb', '--run', '3', '--node', ''], { kind: 'nodes', benchmark: 'nb' }],
    ['a node before the benchmark is named: none', ['export', '--node', ''], { kind: 'words', candidates: [] }],
    ['the benchmark after --node and its value', ['show', '--node', 'node-a', ''], { kind: 'benchmarks' }],
    ['a file after --output-file', ['plot', '--output-file', ''], { kind: 'words', candidates: [], directive: 0 }],
    ['a benchmark of show', ['show', ''], { kind: 'benchmarks' }],
    ['a benchmark after global flags', ['-n', 'lab', 'run', 't'], { kind: 'benchmarks' }],
    ['more benchmarks for figure 3', ['plot', 'a', ''], { kind: 'benchmarks' }],
    ['nothing after show has its benchmark', ['show', 'tp', ''], { kind: 'words', candidates: [] }],
    ['a run of results', ['results', ''], { kind: 'runs' }],
    ['a shell', ['completion', ''], { kind: 'words', candidates: ['bash', 'zsh'] }],
  ])('%s', (_name, words, expected) => {
    expect(completionTarget(words)).toMatchObject(expected);
  });

  test('the answer is cobra-shaped: the candidates with the prefix typed, then the directive', () => {
    expect(completionAnswer(['show', 'tp'], ['tp', 'tp-memif', 'ovs'])).toBe('tp\ntp-memif\n:4\n');
    expect(completionAnswer(['plot', '--output-file', 'f'], [], 0)).toBe(':0\n');
  });

  test('zsh reads the script without error', () => {
    // zsh is installed by the unit tier (Makefile test-unit); -n reads the script without running it.
    expect(() => execFileSync('zsh', ['-n'], { input: completionScript('zsh') })).not.toThrow();
  });

  test('bash completes from what __complete answers, file names only when the directive allows', () => {
    // kubectl-switchbench stands in as a shell function answering as the plugin would.
    const complete = (answer: string, line: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `eval "$(cat)"
kubectl-switchbench() { printf '${answer}'; }
cd "$(mktemp -d)" && touch fig.svg
COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}
_kubectl_switchbench; complete -p kubectl-switchbench; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { input: completionScript('bash') },
      )
        .toString()
        .trim()
        .split('\n');
    expect(complete('show\\nshow-all\\n:4\\n', ['kubectl-switchbench', 'sh'])).toEqual([
      'complete -F _kubectl_switchbench kubectl-switchbench',
      'show',
      'show-all',
    ]);
    expect(complete(':0\\n', ['kubectl-switchbench', 'plot', '--output-file', 'f'])).toEqual([
      'complete -F _kubectl_switchbench kubectl-switchbench',
      'fig.svg',
    ]);
    expect(complete(':4\\n', ['kubectl-switchbench', 'run', 'f'])).toEqual([
      'complete -F _kubectl_switchbench kubectl-switchbench',
    ]);
  });
});
