import type { SwitchBenchmarkSpec } from '../../api/v1alpha1/types.js';
import type { TrafficEndpointPlan, TrafficRole } from '../../datapaths/types.js';
import type { TrialRequest } from '../../plan/index.js';

/** The kubelet copies this file into the container's termination message, which reaches the API. */
export const TERMINATION_LOG = '/dev/termination-log';

/**
 * The UDP destination port of an attempt's frames is this plus the attempt number. The programs
 * count a frame to another port as foreign. A sender of a lost attempt is still stopping while the
 * next attempt's receiver starts on the same path, and it sends its end marker as it stops. On a
 * shared port that marker would start and end the new receiver's trial before any data arrived.
 */
export const DATA_PORT_BASE = 5000;

/**
 * argv of sb-sender / sb-receiver for one attempt of a trial (docs/traffic-programs.md). Built only
 * from numbers and enums of a validated spec, and passed to the container as argv: no shell ever
 * parses it. The backend's arguments come last because the DPDK backend ends with "--" and EAL
 * arguments.
 */
export function trafficArgs(
  role: TrafficRole,
  request: TrialRequest,
  spec: SwitchBenchmarkSpec,
  endpoint: TrafficEndpointPlan,
  attempt: number,
): string[] {
  const timing = [
    '--duration',
    String(request.durationSeconds),
    '--warmup',
    String(request.warmupSeconds),
    '--window',
    String(request.windowSeconds),
    '--sample-interval',
    String(request.sampleIntervalSeconds),
  ];
  const common = [
    '--burst',
    String(request.burstSize),
    ...timing,
    '--dst-port',
    String(DATA_PORT_BASE + attempt),
    '--cpu-mode',
    spec.resources.cpuPolicy === 'exclusive' ? 'dedicated' : 'shared',
    '--summary-file',
    TERMINATION_LOG,
  ];
  const sender = role === 'sender' ? ['--size', String(request.packetSize), '--rate', String(request.offeredPps)] : [];
  return [...sender, ...common, ...endpoint.backendArgs];
}
