import { applyDefaults, defaultSpec, withDatapathOptions } from '../../../src/api/v1alpha1/defaults.js';

describe('defaultSpec', () => {
  test('fills every default of the CRD, reproducing the paper protocol', () => {
    expect(defaultSpec({ datapath: 'memif' })).toEqual({
      datapath: 'memif',
      placement: { nodeSelector: { 'switchbench.io/node': 'true' } },
      traffic: { packetSizes: [64, 512], burstSizes: [16] },
      method: { type: 'max' },
      trial: {
        duration: '60s',
        warmup: '20s',
        window: '20s',
        sampleInterval: '1s',
        repetitions: 1,
        maxCoefficientOfVariation: 0.05,
        generatorTolerance: 0.02,
      },
      resources: {
        cpuPolicy: 'exclusive',
        cpus: { sender: 1, receiver: 1, switch: 1 },
        memoryMi: 512,
        hugepages: { pageSize: '2Mi', perPodMi: 512 },
      },
      suspend: false,
      historyLimit: 10,
    });
  });

  test('keeps given values and defaults inside given objects', () => {
    const spec = defaultSpec({
      datapath: 'testpmd',
      method: { type: 'ndr-pdr', ndrPdr: { lossRatios: [0] } } as never,
      trial: { duration: '30s' } as never,
    });
    expect(spec.method.ndrPdr).toEqual({
      lossRatios: [0],
      precision: 0.005,
      minRatePps: 10000,
      maxRatePps: 20000000,
      searchTrialDuration: '10s',
    });
    expect(spec.trial.duration).toBe('30s');
    expect(spec.trial.warmup).toBe('20s');
  });

  test('never mutates its input (objects come from informer caches)', () => {
    const input = Object.freeze({ datapath: 'kernel' as const, traffic: Object.freeze({ packetSizes: [64] }) });
    const spec = defaultSpec(input as never);
    expect(spec.traffic.burstSizes).toEqual([16]);
    expect(input).toEqual({ datapath: 'kernel', traffic: { packetSizes: [64] } });
  });

  test('a default object is itself defaulted', () => {
    expect(
      applyDefaults(
        { properties: { a: { type: 'object', default: {}, properties: { b: { type: 'integer', default: 3 } } } } },
        {},
      ),
    ).toEqual({
      a: { b: 3 },
    });
  });
});

describe('withDatapathOptions', () => {
  test.each([
    ['kernel', 'kernel', { socket: 'udp', batching: 'single', mtu: 1500 }],
    ['testpmd', 'testpmd', { burst: 32 }],
    ['ovs-dpdk', 'ovsDpdk', { forwarding: 'port-to-port' }],
    ['vpp', 'vpp', { forwarding: 'l2-xconnect' }],
    ['snabb', 'snabb', { forwarding: 'l2-learning' }],
    ['memif', 'memif', { ringSize: 1024 }],
  ] as const)('an omitted %s block gets its defaults', (datapath, field, options) => {
    expect(withDatapathOptions(defaultSpec({ datapath }))[field]).toEqual(options);
  });

  test('a given block is kept as it is', () => {
    const spec = defaultSpec({ datapath: 'kernel', kernel: { socket: 'raw', batching: 'mmsg', mtu: 9000 } });
    expect(withDatapathOptions(spec)).toBe(spec);
  });
});
