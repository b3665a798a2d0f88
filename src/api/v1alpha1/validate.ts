import { CronExpressionParser } from 'cron-parser';
import { withDatapathOptions } from './defaults.js';
import { parseDuration } from './duration.js';
import type { SwitchBenchmarkSpec } from './generated.js';

/** One problem with a spec: the field path as a user writes it, and what is allowed there. */
export interface FieldError {
  field: string;
  message: string;
}

export interface ValidationContext {
  /**
   * Images the cluster admin allows in each role; an override outside its role's list is rejected.
   * Left out, images are not checked here (a run's preflight checks them, with a reason of its own).
   */
  imageAllowlist?: { readonly traffic: readonly string[]; readonly switch: readonly string[] };
}

/** Most trials one run may plan: a run's status holds every trial and must stay well inside etcd's object limit. */
export const MAX_TRIALS_PER_RUN = 1000;
/** Longest a run may be planned to take, so a typo cannot book a node for days. */
export const MAX_RUN_SECONDS = 24 * 3600;
/** Ethernet header plus FCS: a frame of N bytes carries an IP packet of N - 18 bytes. */
export const ETHERNET_OVERHEAD_BYTES = 18;

const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/**
 * Rules the CRD cannot express (cron syntax, time zones, sizes of the whole plan, the admin's image
 * allowlist). The spec is taken as the apiserver stores it: defaulted, and valid against the CRD.
 */
export function validateSpec(spec: SwitchBenchmarkSpec, context: ValidationContext): FieldError[] {
  return [
    ...validateSchedule(spec),
    ...validateSampling(spec),
    ...validateFrameSizes(spec),
    ...validatePlanSize(spec),
    ...validateImages(spec, context),
  ];
}

export function formatFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

function validateSchedule(spec: SwitchBenchmarkSpec): FieldError[] {
  const errors: FieldError[] = [];
  if (spec.timeZone !== undefined && !isTimeZone(spec.timeZone)) {
    errors.push({
      field: 'spec.timeZone',
      message: `"${spec.timeZone}" is not an IANA time zone such as Europe/Rome or UTC`,
    });
  }
  if (spec.schedule === undefined) return errors;
  const schedule = spec.schedule.trim();
  const fields = schedule.split(/\s+/);
  if (!(fields.length === 1 && CRON_MACROS.has(schedule)) && fields.length !== 5) {
    errors.push({
      field: 'spec.schedule',
      message: `"${spec.schedule}" must have 5 fields (minute hour day-of-month month day-of-week) or be one of ${[...CRON_MACROS].join(', ')}; seconds are not supported`,
    });
    return errors;
  }
  if (/\bH\b/.test(schedule)) {
    errors.push({
      field: 'spec.schedule',
      message: 'the hashed "H" form is not supported: give explicit minutes and hours',
    });
    return errors;
  }
  try {
    CronExpressionParser.parse(schedule, { tz: 'UTC' }).next();
  } catch (err) {
    errors.push({
      field: 'spec.schedule',
      message: `"${spec.schedule}" is not a valid cron schedule: ${(err as Error).message}`,
    });
  }
  return errors;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The receiver's samples tile the warm-up and the window, one per sampleInterval (the per-second
 * rates the paper averages), so both are whole numbers of samples; the programs refuse anything else.
 */
function validateSampling(spec: SwitchBenchmarkSpec): FieldError[] {
  const sample = parseDuration(spec.trial.sampleInterval);
  const whole = (seconds: number) => Math.abs(seconds / sample - Math.round(seconds / sample)) < 1e-6;
  return (['warmup', 'window'] as const)
    .filter((field) => !whole(parseDuration(spec.trial[field])))
    .map((field) => ({
      field: `spec.trial.${field}`,
      message: `${spec.trial[field]} must be a whole number of spec.trial.sampleInterval (${spec.trial.sampleInterval}): the receiver takes one sample per interval`,
    }));
}

/**
 * The largest frame each DPDK path carries as the operator configures it: memif ports (DPDK 22.11)
 * take frames up to 1518 bytes, and the switches' vhost-user ports run at the default MTU of 1500.
 * The kernel path's limit is its own MTU; an SR-IOV VF's is the NIC's, which only the run can tell.
 */
export const MAX_FRAME_BYTES: Partial<Record<SwitchBenchmarkSpec['datapath'], number>> = {
  memif: 1518,
  testpmd: 1518,
  'ovs-dpdk': 1518,
  vpp: 1518,
  snabb: 1518,
};

function validateFrameSizes(given: SwitchBenchmarkSpec): FieldError[] {
  const spec = withDatapathOptions(given);
  const limit = MAX_FRAME_BYTES[spec.datapath];
  if (limit !== undefined) {
    const tooLarge = spec.traffic.packetSizes.filter((size) => size > limit);
    if (tooLarge.length)
      return [
        {
          field: 'spec.traffic.packetSizes',
          message: `${tooLarge.join(', ')} exceed the largest frame the ${spec.datapath} path carries (${limit} bytes, FCS included): use sizes up to ${limit}`,
        },
      ];
  }
  if (spec.datapath !== 'kernel' || !spec.kernel) return [];
  const largest = spec.kernel.mtu + ETHERNET_OVERHEAD_BYTES;
  const tooLarge = spec.traffic.packetSizes.filter((size) => size > largest);
  if (tooLarge.length === 0) return [];
  return [
    {
      field: 'spec.traffic.packetSizes',
      message: `${tooLarge.join(', ')} exceed the largest frame of MTU ${spec.kernel.mtu} (${largest} bytes): raise spec.kernel.mtu or use smaller sizes`,
    },
  ];
}

/** Trials and seconds a run of this spec may take at most (the search may stop earlier). */
/**
 * The most trials an ndr-pdr search may spend on one point, which the search obeys. Bisection needs
 * log2(range / precision) probes plus one verification per loss ratio; the budget doubles both, for
 * what real paths add: the external search's steps, generator-limited probes, a failed verification
 * that reopens the search.
 */
export function searchBudget(
  search: NonNullable<SwitchBenchmarkSpec['method']['ndrPdr']>,
  repetitions: number,
): { probes: number; verifications: number } {
  const width = (search.maxRatePps - search.minRatePps) / (search.precision * search.minRatePps);
  const bisection = 1 + Math.max(1, Math.ceil(Math.log2(Math.max(width, 1))));
  return { probes: 2 * bisection, verifications: 2 * search.lossRatios.length * repetitions };
}

export function planBudget(spec: SwitchBenchmarkSpec): { trials: number; seconds: number } {
  const points = spec.traffic.packetSizes.length * spec.traffic.burstSizes.length;
  const trialSeconds = parseDuration(spec.trial.duration);
  const repetitions = spec.trial.repetitions;
  const method = spec.method;
  if (method.type === 'ndr-pdr' && method.ndrPdr) {
    const { probes, verifications } = searchBudget(method.ndrPdr, repetitions);
    return {
      trials: points * (probes + verifications),
      seconds: points * (probes * parseDuration(method.ndrPdr.searchTrialDuration) + verifications * trialSeconds),
    };
  }
  const rates = method.type === 'sweep' ? sweepRates(spec).length : 1;
  const trials = points * rates * repetitions;
  return { trials, seconds: trials * trialSeconds };
}

/** The offered rates of a sweep, ascending. */
export function sweepRates(spec: SwitchBenchmarkSpec): number[] {
  const sweep = spec.method.sweep;
  if (!sweep) return [];
  if (sweep.ratesPps) return [...sweep.ratesPps].sort((a, b) => a - b);
  if (!sweep.range) return [];
  const { fromPps, toPps, stepPps } = sweep.range;
  const rates: number[] = [];
  for (let rate = fromPps; rate <= toPps; rate += stepPps) rates.push(rate);
  return rates;
}

function validatePlanSize(spec: SwitchBenchmarkSpec): FieldError[] {
  const budget = planBudget(spec);
  const errors: FieldError[] = [];
  const shape = 'packetSizes × burstSizes × offered rates × repetitions';
  if (budget.trials > MAX_TRIALS_PER_RUN) {
    errors.push({
      field: 'spec.traffic',
      message: `the run would take up to ${budget.trials} trials (${shape}); at most ${MAX_TRIALS_PER_RUN} are allowed: split it into several SwitchBenchmarks`,
    });
  }
  if (budget.seconds > MAX_RUN_SECONDS) {
    errors.push({
      field: 'spec.trial.duration',
      message: `the run would take up to ${(budget.seconds / 3600).toFixed(1)} h (${shape} × trial.duration); at most ${MAX_RUN_SECONDS / 3600} h are allowed: shorten trials or measure fewer points`,
    });
  }
  return errors;
}

function validateImages(spec: SwitchBenchmarkSpec, { imageAllowlist }: ValidationContext): FieldError[] {
  const images = spec.resources.images ?? {};
  if (!imageAllowlist) return [];
  return (['traffic', 'switch'] as const)
    .filter((role) => images[role] !== undefined && !imageAllowlist[role].includes(images[role] as string))
    .map((role) => ({
      field: `spec.resources.images.${role}`,
      message: `"${images[role]}" is not on the operator's ${role} image allowlist (${imageAllowlist[role].join(', ') || 'empty'}); ask the cluster admin to allow it (--allow-${role}-image)`,
    }));
}
