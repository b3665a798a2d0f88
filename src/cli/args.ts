// The plugin's command line: argv → one command, or a UsageError naming the flag or argument at fault. Pure.
// Shaped like kubectl's: the same global flags, -o for the format of what is printed, and a file
// only where the output is one (--output-file).
import { parseArgs } from 'node:util';

/** The paper's Figures 2 and 3 by number; `pool` a fan-out benchmark's nodes against their median. */
export type Figure = 2 | 3 | 'pool';
export type ImageFormat = 'svg' | 'png';
export type ExportFormat = 'json' | 'yaml' | 'csv';
/** What list, show and results print: a table (wide: more columns), or the objects as JSON or YAML. */
export type PrintFormat = 'table' | 'wide' | 'json' | 'yaml';
export type Shell = 'bash' | 'zsh';

export type Command =
  | { kind: 'help' }
  | { kind: 'list'; allNamespaces: boolean; output: PrintFormat }
  | { kind: 'show'; benchmark: string; run?: number; node?: string; watch: boolean; output: PrintFormat }
  | {
      kind: 'plot';
      benchmarks: string[];
      figure: Figure;
      outputFile: string;
      format: ImageFormat;
      run?: number;
      node?: string;
    }
  | { kind: 'run'; benchmark: string }
  | { kind: 'export'; benchmark: string; format: ExportFormat; run?: number; node?: string; outputFile?: string }
  | { kind: 'pool'; benchmark: string; output: PrintFormat }
  | { kind: 'results'; run: string; output: PrintFormat }
  | { kind: 'compare'; benchmarks: string[]; output: 'table' | 'json' | 'yaml' }
  | { kind: 'version'; output: 'text' | 'json' | 'yaml' }
  | { kind: 'completion'; shell: Shell }
  /** What the shell asks while completing: the words typed so far, the last one being completed. */
  | { kind: 'complete'; words: string[] };

export interface Invocation {
  command: Command;
  namespace?: string;
  kubeconfig?: string;
  context?: string;
}

export class UsageError extends Error {}

/** Exit codes, as docs/kubectl-plugin.md and docs/troubleshooting.md give them. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const USAGE = `usage: kubectl switchbench COMMAND [flags]

commands:
  list [-A] [-o table|wide|json|yaml]        benchmarks: data path, phase, last run, headline, next run
  show BENCHMARK [--run N] [--node NODE] [--watch] [-o table|wide|json|yaml]
                                             Table 1 (max throughput, NDR, PDR per frame size) and every trial;
                                             --watch follows the active run with a progress bar until it ends;
                                             -o wide: the frames each trial lost at every place, not only WHERE LOST;
                                             -o json|yaml: the run as export writes it
  results RUN [-o table|wide|json|yaml]      a run by its name: its trials and summary
  pool BENCHMARK [-o table|wide|json|yaml]   a fan-out benchmark's pool (status.pool): each node's latest figure,
                                             its ratio to the pool median, the outliers;
                                             -o wide: when each node's run finished and its own headline;
                                             -o json|yaml: status.pool
  compare [BENCHMARK...] [-o table|json|yaml]
                                             Figure 3 as a table: max throughput per path and frame size, Gbit/s,
                                             and the ratio to memif's (from the same runs as plot --figure 3)
  plot BENCHMARK --figure 2 --output-file FILE [--run N] [--node NODE]
                                             Figure 2: receive rate vs offered rate, one panel per frame size
  plot [BENCHMARK...] --figure 3 --output-file FILE
                                             Figure 3: max throughput per data path and frame size, from the
                                             latest finished run of each benchmark named (default: all in the namespace);
                                             FILE ends in .svg or .png
  plot BENCHMARK --figure pool --output-file FILE
                                             a fan-out benchmark's pool: a bar per node, outliers in red,
                                             the pool median and the outlier bound as rules
  run BENCHMARK                              start a run now (annotation switchbench.io/run-now)
  export BENCHMARK -o json|yaml|csv [--run N] [--node NODE] [--output-file FILE]
                                             a finished run, to stdout or FILE
  version [-o json|yaml]                     the plugin's version and the API it speaks
  completion bash|zsh                        a shell completion script (source <(kubectl switchbench completion bash))

global flags:
  -n, --namespace NS      namespace (default: the kubeconfig context's, else default)
      --kubeconfig FILE   kubeconfig (default: $KUBECONFIG, else ~/.kube/config)
      --context NAME      the kubeconfig context to use (default: its current context)
  -A, --all-namespaces    list benchmarks in every namespace (list only)
      --run N             the benchmark's run number N (run <benchmark>-N; under fan-out, round <benchmark>-N);
                          default: the latest finished
      --node NODE         under fan-out (spec.placement.fanOut), the run of that node; without it, one node's
                          run is picked and a note on stderr says which
  -h, --help

exit codes: 0 done; 1 the cluster or the object was not as asked (the message says what); 2 a usage error.`;

const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  run: { type: 'string' },
  node: { type: 'string' },
  watch: { type: 'boolean', short: 'w' },
  figure: { type: 'string' },
  output: { type: 'string', short: 'o' },
  'output-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];
type Flag = keyof Values;

/** Flags each command accepts besides the global ones, so a misplaced flag is an error, not silently ignored. */
const ACCEPTS: Record<Exclude<Command['kind'], 'help' | 'complete'>, Flag[]> = {
  list: ['all-namespaces', 'output'],
  show: ['run', 'node', 'watch', 'output'],
  plot: ['run', 'node', 'figure', 'output-file'],
  run: [],
  export: ['run', 'node', 'output', 'output-file'],
  results: ['output'],
  pool: ['output'],
  compare: ['output'],
  version: ['output'],
  completion: [],
};

export const COMMANDS = Object.keys(ACCEPTS) as (keyof typeof ACCEPTS)[];
const GLOBAL: Flag[] = ['namespace', 'kubeconfig', 'context', 'help'];

/** The long flags a command takes, global ones included: for completion. */
export function flagsOf(command: string): string[] {
  const own = (ACCEPTS as Record<string, Flag[] | undefined>)[command] ?? [];
  return [...GLOBAL, ...own].map((flag) => `--${flag}`);
}

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value))
    throw new UsageError(`--${flag} must be a positive integer (a run number), got "${value}"`);
  return Number(value);
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) throw new UsageError(`${flag} is required: one of ${allowed.join(', ')}`);
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

const PRINT_FORMATS: readonly PrintFormat[] = ['table', 'wide', 'json', 'yaml'];
const printFormat = (command: string, value: string | undefined): PrintFormat =>
  value === undefined ? 'table' : oneOf(`-o/--output of ${command}`, value, PRINT_FORMATS);

function imageFormat(outputFile: string | undefined): ImageFormat {
  if (outputFile === undefined)
    throw new UsageError('--output-file is required: the image file to write (.svg or .png)');
  const match = /\.(svg|png)$/i.exec(outputFile);
  if (!match) throw new UsageError(`--output-file must end in .svg or .png, got "${outputFile}"`);
  return (match[1] as string).toLowerCase() as ImageFormat;
}

function exactlyOne(command: string, what: string, positionals: string[]): string {
  if (positionals.length !== 1)
    throw new UsageError(
      `${command} takes exactly one ${what}, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  return positionals[0] as string;
}

function none(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`${command} takes no arguments, got ${positionals.join(' ')}`);
}

function command(name: string | undefined, args: string[], values: Values): Command {
  switch (name) {
    case 'list':
      none('list', args);
      return {
        kind: 'list',
        allNamespaces: values['all-namespaces'] ?? false,
        output: printFormat('list', values.output),
      };
    case 'show':
      return {
        kind: 'show',
        benchmark: exactlyOne('show', 'benchmark', args),
        run: positiveInteger('run', values.run),
        node: values.node,
        watch: values.watch ?? false,
        output: printFormat('show', values.output),
      };
    case 'plot': {
      const named = oneOf('--figure', values.figure, ['2', '3', 'pool']);
      const figure = named === 'pool' ? named : (Number(named) as Figure);
      if (figure !== 3) exactlyOne(`plot --figure ${figure}`, 'benchmark', args);
      const run = positiveInteger('run', values.run);
      // The pool figure is status.pool: each node's latest run, never one picked by number or node.
      if (figure === 'pool' && (run !== undefined || values.node !== undefined))
        throw new UsageError("--figure pool takes no --run or --node: it draws every node's latest run");
      if (run !== undefined && args.length !== 1)
        throw new UsageError('--run needs exactly one benchmark: run numbers are per benchmark');
      if (values.node !== undefined && args.length !== 1)
        throw new UsageError("--node needs exactly one benchmark: it picks a node's run of a fan-out benchmark");
      return {
        kind: 'plot',
        benchmarks: args,
        figure,
        outputFile: values['output-file'] as string,
        format: imageFormat(values['output-file']),
        run,
        node: values.node,
      };
    }
    case 'run':
      return { kind: 'run', benchmark: exactlyOne('run', 'benchmark', args) };
    case 'export':
      return {
        kind: 'export',
        benchmark: exactlyOne('export', 'benchmark', args),
        format: oneOf('-o/--output of export', values.output, ['json', 'yaml', 'csv']),
        run: positiveInteger('run', values.run),
        node: values.node,
        outputFile: values['output-file'],
      };
    case 'pool':
      return {
        kind: 'pool',
        benchmark: exactlyOne('pool', 'benchmark', args),
        output: printFormat('pool', values.output),
      };
    case 'results':
      return {
        kind: 'results',
        run: exactlyOne('results', 'run name', args),
        output: printFormat('results', values.output),
      };
    case 'compare':
      return {
        kind: 'compare',
        benchmarks: args,
        output:
          values.output === undefined
            ? 'table'
            : oneOf('-o/--output of compare', values.output, ['table', 'json', 'yaml']),
      };
    case 'version':
      none('version', args);
      return {
        kind: 'version',
        output: values.output === undefined ? 'text' : oneOf('-o/--output of version', values.output, ['json', 'yaml']),
      };
    case 'completion':
      return {
        kind: 'completion',
        shell: oneOf('completion SHELL', exactlyOne('completion', 'shell', args), ['bash', 'zsh']),
      };
    case undefined:
      throw new UsageError('a command is required');
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}

/** The hidden command the completion scripts call: its words are a partial command line, never parsed strictly. */
export const COMPLETE_COMMAND = '__complete';

/** The global flags among a partial command line (the word being completed left out), for completion's lookups. */
function globalsOf(words: string[]): Omit<Invocation, 'command'> {
  const found: Omit<Invocation, 'command'> = {};
  const names: Record<string, 'namespace' | 'kubeconfig' | 'context'> = {
    '-n': 'namespace',
    '--namespace': 'namespace',
    '--kubeconfig': 'kubeconfig',
    '--context': 'context',
  };
  const typed = words.slice(0, -1);
  typed.forEach((word, i) => {
    const [flag = '', inline] = word.split(/=(.*)/s);
    const key = names[flag];
    const value = inline ?? typed[i + 1];
    if (key && value) found[key] = value;
  });
  return found;
}

export function parseInvocation(argv: string[]): Invocation {
  if (argv[0] === COMPLETE_COMMAND) {
    const words = argv.slice(1);
    return { command: { kind: 'complete', words }, ...globalsOf(words) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  const [name, ...args] = positionals;
  if (values.help) return { command: { kind: 'help' } };
  const parsedCommand = command(name, args, values);
  const allowed = new Set([...GLOBAL, ...ACCEPTS[parsedCommand.kind as keyof typeof ACCEPTS]]);
  const misplaced = (Object.keys(values) as Flag[]).filter((flag) => values[flag] !== undefined && !allowed.has(flag));
  if (misplaced.length > 0)
    throw new UsageError(`${name} does not take ${misplaced.map((flag) => `--${flag}`).join(', ')}`);
  for (const flag of ['namespace', 'kubeconfig', 'context', 'node', 'output-file'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} must not be empty`);
  }
  return {
    command: parsedCommand,
    ...(values.namespace !== undefined ? { namespace: values.namespace } : {}),
    ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.context !== undefined ? { context: values.context } : {}),
  };
}
