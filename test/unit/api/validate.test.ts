import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/generated.js';
import {
  formatFieldErrors,
  planBudget,
  sweepRates,
  validateSpec,
  type FieldError,
} from '../../../src/api/v1alpha1/validate.js';

const context = {
  imageAllowlist: { traffic: ['localhost/switchbench-traffic:dev'], switch: ['localhost/switchbench-testpmd:dev'] },
};
const spec = (partial: Record<string, unknown>): SwitchBenchmarkSpec =>
  defaultSpec({ datapath: 'memif', ...partial } as never);
const fields = (errors: FieldError[]) => errors.map((e) => e.field);

describe('validateSpec', () => {
  test.each([
    ['the defaults', {}],
    ['a 5-field schedule with a time zone', { schedule: '0 3 * * 1-5', timeZone: 'Europe/Rome' }],
    ['a cron macro', { schedule: '@daily' }],
    [
      'jumbo frames with a jumbo MTU',
      { datapath: 'kernel', kernel: { mtu: 9000 }, traffic: { packetSizes: [64, 9000] } },
    ],
    ['1518-byte frames on the default MTU', { datapath: 'kernel', traffic: { packetSizes: [1518] } }],
    ['an allowed image', { resources: { images: { traffic: 'localhost/switchbench-traffic:dev' } } }],
    ['1518-byte frames on memif', { datapath: 'memif', traffic: { packetSizes: [64, 1518] } }],
    [
      'jumbo frames on an SR-IOV VF',
      { datapath: 'sriov', sriov: { resourceName: 'a.io/vf' }, traffic: { packetSizes: [9000] } },
    ],
  ])('accepts %s', (_name, partial) => {
    expect(validateSpec(spec(partial), context)).toEqual([]);
  });

  test.each([
    ['a seconds field', { schedule: '*/1 * * * * *' }, 'spec.schedule', /5 fields .* seconds are not supported/],
    ['too few fields', { schedule: '0 3 *' }, 'spec.schedule', /must have 5 fields/],
    ['an out-of-range minute', { schedule: '61 * * * *' }, 'spec.schedule', /not a valid cron schedule/],
    ['an impossible date', { schedule: '0 3 30 2 *' }, 'spec.schedule', /not a valid cron schedule/],
    ['the hashed form', { schedule: 'H 3 * * *' }, 'spec.schedule', /hashed "H" form/],
    ['an unknown macro', { schedule: '@sometimes' }, 'spec.schedule', /must have 5 fields/],
    [
      'an unknown time zone',
      { schedule: '0 3 * * *', timeZone: 'Europe/Atlantis' },
      'spec.timeZone',
      /not an IANA time zone/,
    ],
    [
      'frames above the MTU',
      { datapath: 'kernel', traffic: { packetSizes: [64, 1519, 9000] } },
      'spec.traffic.packetSizes',
      /1519, 9000 exceed the largest frame of MTU 1500 \(1518 bytes\)/,
    ],
    [
      'frames above 1518 on memif',
      { datapath: 'memif', traffic: { packetSizes: [64, 9000] } },
      'spec.traffic.packetSizes',
      /9000 exceed the largest frame the memif path carries \(1518 bytes/,
    ],
    [
      'frames above 1518 through a vhost-user switch',
      { datapath: 'ovs-dpdk', traffic: { packetSizes: [2048] } },
      'spec.traffic.packetSizes',
      /2048 exceed the largest frame the ovs-dpdk path carries/,
    ],
    [
      'a warm-up that is not whole samples',
      { trial: { warmup: '20s', window: '21s', sampleInterval: '2s', duration: '60s' } },
      'spec.trial.window',
      /21s must be a whole number of spec.trial.sampleInterval \(2s\)/,
    ],
    [
      'an image off the allowlist',
      { resources: { images: { switch: 'docker.io/evil:1' } } },
      'spec.resources.images.switch',
      /not on the operator's switch image allowlist \(localhost\/switchbench-testpmd:dev\).*--allow-switch-image/,
    ],
    [
      'a switch image run as traffic',
      { resources: { images: { traffic: 'localhost/switchbench-testpmd:dev' } } },
      'spec.resources.images.traffic',
      /not on the operator's traffic image allowlist \(localhost\/switchbench-traffic:dev\).*--allow-traffic-image/,
    ],
    [
      'the traffic image run as a switch',
      { resources: { images: { switch: 'localhost/switchbench-traffic:dev' } } },
      'spec.resources.images.switch',
      /not on the operator's switch image allowlist/,
    ],
  ])('rejects %s', (_name, partial, field, message) => {
    const errors = validateSpec(spec(partial), context);
    expect(fields(errors)).toEqual([field]);
    expect(errors[0]?.message).toMatch(message);
  });

  test('rejects a plan above 1000 trials and names the factors', () => {
    const errors = validateSpec(
      spec({
        traffic: { packetSizes: [64, 128, 256, 512, 1024], burstSizes: [16, 32, 64] },
        method: { type: 'sweep', sweep: { ratesPps: Array.from({ length: 100 }, (_, i) => (i + 1) * 1000) } },
        trial: { duration: '2s', warmup: '0s', window: '1s' },
      }),
      context,
    );
    expect(fields(errors)).toEqual(['spec.traffic']);
    expect(errors[0]?.message).toMatch(
      /up to 1500 trials \(packetSizes × burstSizes × offered rates × repetitions\); at most 1000/,
    );
  });

  test('rejects a plan longer than a day', () => {
    const errors = validateSpec(
      spec({ trial: { duration: '1h', repetitions: 20 }, traffic: { packetSizes: [64, 512] } }),
      context,
    );
    expect(fields(errors)).toEqual(['spec.trial.duration']);
    expect(errors[0]?.message).toMatch(/up to 40\.0 h .* at most 24 h/);
  });

  test('formats errors as field: message', () => {
    expect(
      formatFieldErrors([
        { field: 'spec.a', message: 'x' },
        { field: 'spec.b', message: 'y' },
      ]),
    ).toBe('spec.a: x; spec.b: y');
  });
});

describe('planBudget', () => {
  test.each([
    ['max: one trial per point', {}, 2, 120],
    ['max with repetitions', { trial: { repetitions: 3 } }, 6, 360],
    [
      'sweep range',
      { method: { type: 'sweep', sweep: { range: { fromPps: 1000, toPps: 5000, stepPps: 1000 } } } },
      10,
      600,
    ],
    // width = (20e6 - 1e4) / (0.005 × 1e4) = 399800 → 19 halvings + the first probe; 2 verifications
    // Twice bisection's 20 probes and one verification per ratio: the search's hard budget.
    [
      'ndr-pdr',
      { traffic: { packetSizes: [64] }, method: { type: 'ndr-pdr', ndrPdr: { lossRatios: [0, 0.005] } } },
      44,
      40 * 10 + 4 * 60,
    ],
  ])('%s', (_name, partial, trials, seconds) => {
    expect(planBudget(spec(partial))).toEqual({ trials, seconds });
  });
});

describe('sweepRates', () => {
  test.each([
    ['a list, sorted', { ratesPps: [3000, 1000, 2000] }, [1000, 2000, 3000]],
    ['a range, inclusive', { range: { fromPps: 100, toPps: 300, stepPps: 100 } }, [100, 200, 300]],
    ['a range whose step overshoots the end', { range: { fromPps: 100, toPps: 250, stepPps: 100 } }, [100, 200]],
    ['a single-rate range', { range: { fromPps: 5, toPps: 5, stepPps: 1 } }, [5]],
  ])('%s', (_name, sweep, rates) => {
    expect(sweepRates(spec({ method: { type: 'sweep', sweep } }))).toEqual(rates);
  });

  test('no sweep gives no rates', () => {
    expect(sweepRates(spec({}))).toEqual([]);
  });
});
