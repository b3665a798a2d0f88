// Teardown of a finished or deleted run: its pods, switch configuration and network go; then its
// node locks (the node is free once every pod is gone); then its host directory, removed by a
// cleanup pod on the node; then the finalizer. Each stage is recorded before the next, so a
// restarted operator neither repeats nor skips one.
import type { V1Pod } from '@kubernetes/client-node';
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.js';
import { CLEANUP_FINALIZER, ROLE_LABEL } from '../../api/v1alpha1/labels.js';
import { networkName } from '../../datapaths/network.js';
import type { ReconcileResult } from '../../runtime/reconcile.js';
import { cleanupPod, cleanupPodName, hostRunDir, runIdentity, switchConfigMapName } from './desired.js';
import { releaseLocks } from './locks.js';
import { label, podFailure, podFinished, secondsSince, terminating } from './pod-status.js';
import { isSetupProblem, setupRun } from './setup.js';
import { writeStatus } from './status.js';
import type { RunStep } from './step.js';

export async function teardown(step: RunStep, pods: V1Pod[]): Promise<ReconcileResult> {
  const { deps, run, log } = step;
  const namespace = run.metadata.namespace as string;
  const workers = pods.filter((p) => label(p, ROLE_LABEL) !== 'cleanup');
  const setup = setupRun(run, deps.config);
  const network = isSetupProblem(setup) ? undefined : setup.driver.network(setup.context);
  const removeNetwork = async () => {
    if (network) await deps.writer.deleteNetworkAttachment(namespace, networkName(runIdentity(run)));
  };
  for (const pod of workers.filter((p) => !terminating(p))) await deps.writer.deletePod(pod);
  if (workers.length) {
    await deps.writer.deleteConfigMap(namespace, switchConfigMapName(run));
    // Multus detaches deleted pods from the configuration it cached when it attached them.
    await removeNetwork();
  }

  // The node is in use until every pod of the run is gone; then the next run may have it.
  if (workers.length) return {};
  await releaseLocks(step);

  // Set once cleaning is done or given up: either way teardown goes on to the finalizer.
  const settled = run.status?.conditions?.some((c) => c.type === ConditionType.HostCleanedUp);
  const node = run.status?.node;
  const cleanup = pods.find((p) => p.metadata?.name === cleanupPodName(run));
  // A run that never started made no host directory.
  if (node && run.status?.startTime && !settled) {
    const waited = secondsSince(run.status?.completionTime ?? run.metadata.deletionTimestamp, deps.now());
    if (waited > deps.config.cleanupTimeoutSeconds) {
      const message = `Gave up removing the run's host directory on ${node} after ${Math.round(waited)}s${cleanup ? `: ${podFailure(cleanup, 'cleanup')}` : ''}; remove ${hostRunDir(run)} by hand`;
      log.warn('Host directory cleanup abandoned', { detail: message });
      // The condition first: its write fails on a stale read, so a second reconcile racing this one
      // cannot record the Event again (seen once: two CleanupAbandoned Events for one run).
      await writeStatus(step, { ...run.status }, [
        { type: ConditionType.HostCleanedUp, status: 'False', reason: Reason.CleanupAbandoned, message },
      ]);
      await deps.writer.event(run, { type: 'Warning', reason: Reason.CleanupAbandoned, message });
      return {};
    }
    if (!cleanup) {
      // The run's pods are gone (a finished run's last ones went with its last trial).
      await removeNetwork();
      await deps.writer.createPod(cleanupPod(run, node, deps.config.trafficImage, network?.hostInterfaces));
      return {};
    }
    if (!podFinished(cleanup)) return { requeueAfterMs: (deps.config.cleanupTimeoutSeconds - waited) * 1000 + 1000 };
    if (cleanup.status?.phase === 'Failed') {
      if (terminating(cleanup)) return { requeueAfterMs: 5000 };
      log.warn('Host directory cleanup failed, retrying', { detail: podFailure(cleanup, 'cleanup') });
      await deps.writer.deletePod(cleanup);
      return { requeueAfterMs: 5000 };
    }
    // Recorded before the pod goes, so that no reconcile can see neither and clean up twice.
    const message = `Removed the run's host directory on ${node}`;
    await writeStatus(step, { ...run.status }, [
      { type: ConditionType.HostCleanedUp, status: 'True', reason: Reason.Removed, message },
    ]);
    return {};
  }
  if (cleanup && !terminating(cleanup)) await deps.writer.deletePod(cleanup);
  if (run.metadata.finalizers?.includes(CLEANUP_FINALIZER))
    await deps.writer.removeRunFinalizer(run, CLEANUP_FINALIZER);
  return {};
}
