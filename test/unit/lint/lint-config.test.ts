// make lint's own rules, shown to bite: an import against the layering of src/ and unformatted code
// both fail, and the code as it should be passes.
import { ESLint } from 'eslint';
import path from 'node:path';
import * as prettier from 'prettier';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: path.join(root, '.ci/eslint.config.js') });

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layering of src/', () => {
  test.each([
    ['src/cli/table.ts', "import { isFinished } from '../controller/ownership.js';", /plugin read the API contract/],
    ['src/metrics/results.ts', "import { runsOf } from '../controller/ownership.js';", /never controller internals/],
    ['src/runtime/informer.ts', "import type { Trial } from '../api/v1alpha1/types.js';", /knows no switchbench type/],
    ['src/api/v1alpha1/types.ts', "import { summarize } from '../../results/summary.js';", /imports nothing of ours/],
    ['src/plan/trials.ts', "import type { ClusterWriter } from '../controller/cluster-writer.js';", /are pure/],
    ['src/results/summary.ts', "import { runWorkers } from '../runtime/reconcile.js';", /are pure/],
    ['src/controller/run/start.ts', "import { startMetricsServer } from '../../metrics/server.js';", /observers/],
    ['src/controller/benchmark/reconciler.ts', "import { Manager } from '../../manager.js';", /entry points/],
  ])('%s: %s is refused', async (file, source, why) => {
    const messages = await restrictedImports(file, `${source}\nexport {};\n`);
    expect(messages).toEqual([expect.stringMatching(why)]);
  });

  test.each([
    ['src/cli/select.ts', "import { isFinished } from '../api/v1alpha1/predicates.js';"],
    ['src/metrics/registry.ts', "import type { ReconcileObserver } from '../runtime/reconcile.js';"],
    ['src/controller/run/trials.ts', "import { summarize } from '../../results/summary.js';"],
    ['src/results/summary.ts', "import type { Trial } from '../api/v1alpha1/types.js';"],
  ])('%s: %s is allowed', async (file, source) => {
    expect(await restrictedImports(file, `${source}\nexport {};\n`)).toEqual([]);
  });
});

describe('formatting', () => {
  const file = path.join(root, 'src/plan/example.ts');
  test('unformatted code fails the check', async () => {
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    expect(await prettier.check('export const  a = {b:1}\n', options)).toBe(false);
    expect(await prettier.check('export const a = { b: 1 };\n', options)).toBe(true);
  });

  test('the configured width is the one the tree uses', async () => {
    const options = { ...(await prettier.resolveConfig(file)), filepath: file };
    expect(options).toMatchObject({ printWidth: 120, singleQuote: true });
  });
});
