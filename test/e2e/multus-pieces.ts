// Multus from the chart, installed for one test file and removed after it. Multus is node-wide (its
// configuration sits in the node's CNI directory, and its daemon removes it on exit), so each file
// installs it under a release and namespace of its own.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '../cluster/kube.js';
import { chartTemplates, clusterValue, kubectl, ok, sh } from './tools.js';

export const cniConfDir = clusterValue('CNI_CONF_DIR');
export const multusConfig = () => readdirSync(cniConfDir).filter((f) => f.startsWith('00-multus'));

export function hostHasLink(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class MultusPieces {
  readonly daemonSet: { namespace: string; name: string };

  constructor(
    private readonly release: string,
    private readonly namespace: string,
  ) {
    this.daemonSet = { namespace, name: `${release}-multus` };
  }

  manifest(): string {
    return chartTemplates(
      this.release,
      this.namespace,
      { 'multus.install': 'true', 'multus.cniConfDir': cniConfDir, 'multus.cniBinDir': clusterValue('CNI_BIN_DIR') },
      ['multus.yaml'],
    );
  }

  /** The NetworkAttachmentDefinition CRD and the Multus DaemonSet, until it runs and has configured the node. */
  async install(kc: KubeConfig): Promise<void> {
    sh(kubectl, ['create', 'namespace', this.namespace]);
    ok(
      kubectl,
      ['apply', '-f', '-'],
      chartTemplates(this.release, this.namespace, { 'multus.install': 'true' }, ['network-attachment-crd.yaml']),
    );
    ok(kubectl, ['apply', '-n', this.namespace, '-f', '-'], this.manifest());
    const apps = kc.makeApiClient(AppsV1Api);
    await waitFor(async () => {
      const status = (await apps.readNamespacedDaemonSet(this.daemonSet)).status;
      return status &&
        status.desiredNumberScheduled > 0 &&
        status.numberReady === status.desiredNumberScheduled &&
        multusConfig().length
        ? true
        : undefined;
    }, 1000);
  }

  uninstall(): void {
    sh(kubectl, ['delete', '-n', this.namespace, '--wait', '-f', '-'], this.manifest());
    sh(kubectl, ['delete', 'namespace', this.namespace, '--wait=false']);
  }
}
