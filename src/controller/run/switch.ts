// The run's switch: one pod on the run's node (and its configuration), created once the run holds
// the node; trials wait until it is Ready, and the run fails if it ends or never gets there.
import { Reason } from '../../api/v1alpha1/conditions.js';
import type { V1Pod } from '@kubernetes/client-node';
import type { ReconcileResult } from '../../runtime/reconcile.js';
import { switchConfigMap, switchPod, switchPodName } from './desired.js';
import { ageSeconds, podFailure, podFinished, startProblem } from './pod-status.js';
import { finish } from './status.js';
import type { RunStep, Setup } from './step.js';

/** Returns a result while the switch is not ready (the run waits), undefined once it forwards. */
export async function ensureSwitch(step: RunStep, setup: Setup, pods: V1Pod[]): Promise<ReconcileResult | undefined> {
  const { deps, run, log } = step;
  const plan = setup.driver.switchPlan(setup.context);
  if (!plan) return undefined;
  const pod = pods.find((p) => p.metadata?.name === switchPodName(run));
  if (!pod) {
    const configMap = switchConfigMap(run, plan);
    if (configMap) await deps.writer.createConfigMap(configMap);
    await deps.writer.createPod(switchPod(run, setup.spec, run.status?.node as string, setup.nodeLabel, plan));
    log.info('Created switch Pod', { pod: switchPodName(run) });
    return {};
  }
  if (podFinished(pod))
    return finish(step, { phase: 'Failed', reason: Reason.SwitchFailed, message: podFailure(pod, 'switch') });
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  if (ready) return undefined;
  const waited = ageSeconds(pod, deps.now());
  const timeout = deps.config.switchReadyTimeoutSeconds;
  if (waited > timeout) {
    const problem = startProblem(pod);
    const message = `switch pod ${pod.metadata?.name} was not ready after ${timeout}s${problem ? `: ${problem}` : ''}`;
    return finish(step, { phase: 'Failed', reason: Reason.SwitchNotReady, message });
  }
  return { requeueAfterMs: (timeout - waited) * 1000 + 1000 };
}
