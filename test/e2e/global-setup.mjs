import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setUpCluster } from '../cluster/cluster.mjs';

// A full cluster, and the images the examples run, built from this checkout (cached layers make a
// rebuild of unchanged images take seconds).
export default () => {
  setUpCluster('full');
  const images = ['traffic', 'testpmd', 'ovs-dpdk', 'multus', 'sriov-device-plugin'];
  const build = spawnSync('bash', ['images/build.sh', ...images], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (build.status !== 0)
    throw new Error(`images/build.sh ${images.join(' ')} failed (exit ${build.status}): the e2e tier cannot run`);
  // The Prometheus that scrapes the operator in the metrics test.
  const prometheus = spawnSync('bash', ['.ci/install-prometheus.sh'], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (prometheus.status !== 0)
    throw new Error(`.ci/install-prometheus.sh failed (exit ${prometheus.status}): the e2e tier cannot run`);
};
