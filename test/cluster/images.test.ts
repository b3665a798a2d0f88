// Images as users get them: an ordinary multi-stage Dockerfile built by images/build.sh (buildah
// against the local Debian base, --pull=never), either pushed to the cluster's registry and pulled
// from it by the node's containerd, or imported into containerd for tests without a registry.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { createNamespace, kubeConfig, onTheNode, podFinished } from './kube.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const core = kubeConfig().makeApiClient(CoreV1Api);
const clusterValue = (name: string) =>
  execFileSync('bash', ['-c', `. .ci/cluster/lib.sh && echo "$${name}"`], { cwd: repoRoot, encoding: 'utf8' }).trim();
const registry = clusterValue('LOCAL_REGISTRY');
let namespace: string;

beforeAll(async () => {
  namespace = await createNamespace(core, 'images');
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
});

function build(env: Record<string, string>): void {
  const result = spawnSync('bash', ['images/build.sh', '../test/cluster/fixtures/hello'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  expect(result.status).toBe(0);
}

async function runHello(name: string, image: string, imagePullPolicy: 'Always' | 'Never'): Promise<void> {
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name },
      spec: {
        restartPolicy: 'Never',
        nodeSelector: onTheNode,
        containers: [{ name: 'hello', image, imagePullPolicy }],
      },
    },
  });
  const pod = await podFinished(core, namespace, name);
  expect(await core.readNamespacedPodLog({ namespace, name })).toBe('hello: built in a build stage\n');
  expect(pod.status?.phase).toBe('Succeeded');
}

test("pushed to the cluster's registry with a tag, then pulled from it by the node", async () => {
  // A tag no earlier run pushed, and Always: the kubelet must pull, and only the registry has it.
  const tag = `t${Date.now()}`;
  build({ REGISTRY: registry, TAG: tag, PUSH: '1' });
  const tags = (await (await fetch(`http://${registry}/v2/switchbench-hello/tags/list`)).json()) as { tags: string[] };
  expect(tags.tags).toContain(tag);
  await runHello('pulled', `${registry}/switchbench-hello:${tag}`, 'Always');
  const events = await core.listNamespacedEvent({ namespace, fieldSelector: 'involvedObject.name=pulled' });
  expect(events.items.map((e) => e.reason)).toContain('Pulled');
});

test('without a registry: imported into containerd as localhost/switchbench-<dir>:dev', async () => {
  build({});
  await runHello('imported', 'localhost/switchbench-hello:dev', 'Never');
});
