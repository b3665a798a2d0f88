// Shell completion: the scripts bash and zsh source, and what `__complete` answers them (and kubectl,
// which asks an executable kubectl_complete-switchbench the same way for `kubectl switchbench <TAB>`).
// The answer is cobra's, as kubectl's own completion reads it: one candidate per line, then
// `:DIRECTIVE` (4: no file names; 0: file names are fine). Pure, but for the names the edge looks up.
import { COMMANDS, flagsOf, type Shell } from './args.js';

/** Cobra's ShellCompDirective values the plugin uses. */
const FILES = 0;
const NO_FILES = 4;

/**
 * What the word being completed is: fixed candidates, or names the edge reads from the cluster (for
 * `nodes`, those of the benchmark's pool).
 */
export type CompletionTarget =
  | { kind: 'words'; candidates: readonly string[]; directive: number }
  | { kind: 'benchmarks' | 'runs' }
  | { kind: 'nodes'; benchmark: string };

const OUTPUTS: Record<string, readonly string[]> = {
  list: ['table', 'wide', 'json', 'yaml'],
  show: ['table', 'wide', 'json', 'yaml'],
  results: ['table', 'wide', 'json', 'yaml'],
  pool: ['table', 'wide', 'json', 'yaml'],
  compare: ['table', 'json', 'yaml'],
  export: ['json', 'yaml', 'csv'],
  version: ['json', 'yaml'],
};
const TAKES_BENCHMARKS = new Set(['show', 'plot', 'run', 'export', 'compare', 'pool']);
/** Commands that take several benchmarks. */
const TAKES_SEVERAL = new Set(['plot', 'compare']);
const FLAGS_WITH_VALUES = new Set([
  '-n',
  '--namespace',
  '--kubeconfig',
  '--context',
  '--run',
  '--node',
  '--figure',
  '--output-file',
]);

/** `words`: the command line after the plugin's name, the last being the word completed (maybe ""). */
export function completionTarget(words: readonly string[]): CompletionTarget {
  const current = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const previous = before.at(-1);
  // The command is the first word that is neither a flag nor a flag's value.
  const positionals = before.filter(
    (w, i) =>
      !w.startsWith('-') && !(i > 0 && FLAGS_WITH_VALUES.has(before[i - 1] as string) && !before[i - 1]?.includes('=')),
  );
  const command = positionals[0];
  if (previous === '-o' || previous === '--output')
    return { kind: 'words', candidates: OUTPUTS[command ?? ''] ?? [], directive: NO_FILES };
  if (previous === '--figure') return { kind: 'words', candidates: ['2', '3', 'pool'], directive: NO_FILES };
  if (previous === '--node' && positionals[1] !== undefined) return { kind: 'nodes', benchmark: positionals[1] };
  if (previous === '--output-file' || previous === '--kubeconfig')
    return { kind: 'words', candidates: [], directive: FILES };
  if (previous !== undefined && FLAGS_WITH_VALUES.has(previous))
    return { kind: 'words', candidates: [], directive: NO_FILES };
  if (current.startsWith('-')) return { kind: 'words', candidates: flagsOf(command ?? ''), directive: NO_FILES };
  if (command === undefined) return { kind: 'words', candidates: COMMANDS, directive: NO_FILES };
  if (command === 'completion' && positionals.length === 1)
    return { kind: 'words', candidates: ['bash', 'zsh'], directive: NO_FILES };
  if (TAKES_BENCHMARKS.has(command) && (positionals.length === 1 || TAKES_SEVERAL.has(command)))
    return { kind: 'benchmarks' };
  if (command === 'results' && positionals.length === 1) return { kind: 'runs' };
  return { kind: 'words', candidates: [], directive: NO_FILES };
}

/** The answer to `__complete`: the candidates that start with the word being completed, then the directive. */
export function completionAnswer(
  words: readonly string[],
  candidates: readonly string[],
  directive = NO_FILES,
): string {
  const current = words.at(-1) ?? '';
  return [...candidates.filter((c) => c.startsWith(current)), `:${directive}`].join('\n') + '\n';
}

const BASH = `# bash completion for kubectl-switchbench: source <(kubectl-switchbench completion bash)
_kubectl_switchbench() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out directive
  out=$(kubectl-switchbench __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
  directive=\${out##*:}
  out=\${out%:*}
  COMPREPLY=($(compgen -W "$out" -- "$cur"))
  if [[ \${#COMPREPLY[@]} -eq 0 && $directive == 0 ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _kubectl_switchbench kubectl-switchbench
`;

const ZSH = `#compdef kubectl-switchbench
# zsh completion for kubectl-switchbench: source <(kubectl-switchbench completion zsh)
_kubectl_switchbench() {
  local out directive
  local -a lines
  out=$(kubectl-switchbench __complete "\${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("\${(@f)out}")
  directive=\${lines[-1]#:}
  lines=("\${(@)lines[1,-2]}")
  if (( \${#lines} )); then
    compadd -- "\${lines[@]}"
  elif [[ $directive == 0 ]]; then
    _files
  fi
}
compdef _kubectl_switchbench kubectl-switchbench
`;

export const completionScript = (shell: Shell): string => (shell === 'bash' ? BASH : ZSH);
