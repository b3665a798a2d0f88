// Images without a registry: an ordinary multi-stage Dockerfile built by images/build.sh (buildah
// against the local Debian base, --pull=never), imported into containerd and run in a pod.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { createNamespace, kubeConfig, onTheNode, podFinished } from './kube.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const core = kubeConfig().makeApiClient(CoreV1Api);
let namespace: string;

beforeAll(async () => {
  namespace = await createNamespace(core, 'images');
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
});

test('a Dockerfile built by images/build.sh runs in a pod as localhost/switchbench-<dir>:dev', async () => {
  const build = spawnSync('bash', ['images/build.sh', '../test/cluster/fixtures/hello'], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  expect(build.status).toBe(0);

  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'hello' },
      spec: {
        restartPolicy: 'Never',
        nodeSelector: onTheNode,
        containers: [{ name: 'hello', image: 'localhost/switchbench-hello:dev', imagePullPolicy: 'Never' }],
      },
    },
  });
  const pod = await podFinished(core, namespace, 'hello');
  expect(await core.readNamespacedPodLog({ namespace, name: 'hello' })).toBe('hello: built in a build stage\n');
  expect(pod.status?.phase).toBe('Succeeded');
});
