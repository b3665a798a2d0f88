import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layering of src/ (docs/architecture.md): imports run one way, and an arrow against it fails
// make lint. Each entry: the files of a layer, the layers they must not import, and why.
const layers = [
  {
    files: ['src/api/**'],
    forbidden: ['runtime', 'controller', 'datapaths', 'plan', 'results', 'metrics', 'cli'],
    why: 'src/api is the contract every other part imports: it imports nothing of ours.',
  },
  {
    files: ['src/runtime/**'],
    forbidden: ['api', 'controller', 'datapaths', 'plan', 'results', 'metrics', 'cli'],
    why: 'src/runtime knows no switchbench type: queue, informers and leader election are generic.',
  },
  {
    files: ['src/plan/**', 'src/results/**', 'src/datapaths/**'],
    forbidden: ['runtime', 'controller', 'metrics', 'cli'],
    why: 'plans, results and data-path drivers are pure: no I/O, no controller.',
  },
  {
    files: ['src/controller/**'],
    forbidden: ['metrics', 'cli'],
    why: 'the controller does not depend on its observers (metrics) or on the plugin.',
  },
  {
    files: ['src/metrics/**', 'src/cli/**'],
    forbidden: ['controller'],
    why: 'metrics and the plugin read the API contract in src/api, never controller internals.',
  },
];

const entryPoints = ['manager', 'main'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'native/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  ...layers.map(({ files, forbidden, why }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...forbidden.map((layer) => ({ group: [`**/${layer}/**`, `**/${layer}.js`], message: why })),
            {
              group: entryPoints.map((entry) => `**/${entry}.js`),
              message: 'only the entry points wire parts together.',
            },
          ],
        },
      ],
    },
  })),
  // Scripts run by node directly: the Node globals, no type information.
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
);
