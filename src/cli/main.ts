// kubectl-switchbench: the kubectl plugin (`kubectl switchbench results RUN`). Reads runs through
// the API with the user's kubeconfig and prints their trials and summary.
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import { GROUP, RUN_PLURAL, VERSION, type SwitchBenchmarkRun } from '../api/v1alpha1/types.js';
import { runReport } from './table.js';

const USAGE = `usage: kubectl switchbench results RUN [-n NAMESPACE]
  prints every trial of a SwitchBenchmarkRun and its summary per packet and burst size`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { namespace: { type: 'string', short: 'n' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  const [command, name] = positionals;
  if (values.help || command !== 'results' || !name) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const namespace = values.namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default';
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const run = (await api.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: RUN_PLURAL, name })) as SwitchBenchmarkRun;
  console.log(runReport(run));
}

main().catch((err: unknown) => {
  console.error(`kubectl-switchbench: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
