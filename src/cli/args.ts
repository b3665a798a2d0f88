// The plugin's command line: argv → one command, or a UsageError naming the flag or argument at fault. Pure.
import { parseArgs } from 'node:util';

export type FigureNumber = 2 | 3;
export type ImageFormat = 'svg' | 'png';
export type ExportFormat = 'json' | 'csv';

export type Command =
  | { kind: 'help' }
  | { kind: 'list'; allNamespaces: boolean }
  | { kind: 'show'; benchmark: string; run?: number; watch: boolean; wide: boolean }
  | { kind: 'plot'; benchmarks: string[]; figure: FigureNumber; output: string; format: ImageFormat; run?: number }
  | { kind: 'run'; benchmark: string }
  | { kind: 'export'; benchmark: string; format: ExportFormat; run?: number; output?: string }
  | { kind: 'results'; run: string; wide: boolean };

export interface Invocation {
  command: Command;
  namespace?: string;
  kubeconfig?: string;
}

export class UsageError extends Error {}

export const USAGE = `usage: kubectl switchbench COMMAND [flags]

commands:
  list [-A]                                  benchmarks: data path, phase, last run, headline, next run
  show BENCHMARK [--run N] [--watch] [-o wide]
                                             Table 1 (max throughput, NDR, PDR per frame size) and every trial;
                                             --watch follows the active run with a progress bar until it ends;
                                             -o wide: the frames each trial lost at every place, not only WHERE LOST
  plot BENCHMARK --figure 2 -o FILE          Figure 2: receive rate vs offered rate, one panel per frame size
  plot [BENCHMARK...] --figure 3 -o FILE     Figure 3: max throughput per data path and frame size, from the
                                             latest finished run of each benchmark named (default: all in the namespace)
                                             FILE ends in .svg or .png
  run BENCHMARK                              start a run now (annotation switchbench.io/run-now)
  export BENCHMARK --format json|csv [--run N] [-o FILE]
  results RUN [-o wide]                      a run by its name: its trials and summary

global flags:
  -n, --namespace NS      namespace (default: the kubeconfig context's, else default)
      --kubeconfig FILE   kubeconfig (default: $KUBECONFIG, else ~/.kube/config)
  -A, --all-namespaces    list benchmarks in every namespace (list only)
      --run N             the benchmark's run number N (run <benchmark>-N); default: the latest finished
  -h, --help`;

const OPTIONS = {
  namespace: { type: 'string', short: 'n' },
  kubeconfig: { type: 'string' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  run: { type: 'string' },
  watch: { type: 'boolean', short: 'w' },
  figure: { type: 'string' },
  output: { type: 'string', short: 'o' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];

/** Flags each command accepts besides the global ones, so a misplaced flag is an error, not silently ignored. */
const ACCEPTS: Record<Exclude<Command['kind'], 'help'>, (keyof Values)[]> = {
  list: ['all-namespaces'],
  show: ['run', 'watch', 'output'],
  plot: ['run', 'figure', 'output'],
  run: [],
  export: ['run', 'format', 'output'],
  results: ['output'],
};

const GLOBAL: (keyof Values)[] = ['namespace', 'kubeconfig', 'help'];

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value))
    throw new UsageError(`--${flag} must be a positive integer (a run number), got "${value}"`);
  return Number(value);
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  if (value === undefined) throw new UsageError(`--${flag} is required: one of ${allowed.join(', ')}`);
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function imageFormat(output: string | undefined): ImageFormat {
  if (output === undefined) throw new UsageError('-o/--output is required: the image file to write (.svg or .png)');
  const match = /\.(svg|png)$/i.exec(output);
  if (!match) throw new UsageError(`-o/--output must end in .svg or .png, got "${output}"`);
  return (match[1] as string).toLowerCase() as ImageFormat;
}

/** show and results print tables: -o names their format, as kubectl's does, and the one there is is wide. */
function wideTable(command: string, output: string | undefined): boolean {
  if (output === undefined) return false;
  if (output !== 'wide') throw new UsageError(`-o/--output of ${command} must be wide, got "${output}"`);
  return true;
}

function exactlyOne(command: string, what: string, positionals: string[]): string {
  if (positionals.length !== 1)
    throw new UsageError(
      `${command} takes exactly one ${what}, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`,
    );
  return positionals[0] as string;
}

function command(name: string | undefined, args: string[], values: Values): Command {
  switch (name) {
    case 'list':
      if (args.length > 0) throw new UsageError(`list takes no arguments, got ${args.join(' ')}`);
      return { kind: 'list', allNamespaces: values['all-namespaces'] ?? false };
    case 'show':
      return {
        kind: 'show',
        benchmark: exactlyOne('show', 'benchmark', args),
        run: positiveInteger('run', values.run),
        watch: values.watch ?? false,
        wide: wideTable('show', values.output),
      };
    case 'plot': {
      const figure = Number(oneOf('figure', values.figure, ['2', '3'])) as FigureNumber;
      if (figure === 2) exactlyOne('plot --figure 2', 'benchmark', args);
      const run = positiveInteger('run', values.run);
      if (run !== undefined && args.length !== 1)
        throw new UsageError('--run needs exactly one benchmark: run numbers are per benchmark');
      return {
        kind: 'plot',
        benchmarks: args,
        figure,
        output: values.output as string,
        format: imageFormat(values.output),
        run,
      };
    }
    case 'run':
      return { kind: 'run', benchmark: exactlyOne('run', 'benchmark', args) };
    case 'export':
      return {
        kind: 'export',
        benchmark: exactlyOne('export', 'benchmark', args),
        format: oneOf('format', values.format, ['json', 'csv']),
        run: positiveInteger('run', values.run),
        output: values.output,
      };
    case 'results':
      return {
        kind: 'results',
        run: exactlyOne('results', 'run name', args),
        wide: wideTable('results', values.output),
      };
    case undefined:
      throw new UsageError('a command is required');
    default:
      throw new UsageError(`unknown command "${name}"`);
  }
}

export function parseInvocation(argv: string[]): Invocation {
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
  const misplaced = (Object.keys(values) as (keyof Values)[]).filter(
    (flag) => values[flag] !== undefined && !allowed.has(flag),
  );
  if (misplaced.length > 0)
    throw new UsageError(`${name} does not take ${misplaced.map((flag) => `--${flag}`).join(', ')}`);
  for (const flag of ['namespace', 'kubeconfig'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} must not be empty`);
  }
  return { command: parsedCommand, namespace: values.namespace, kubeconfig: values.kubeconfig };
}
