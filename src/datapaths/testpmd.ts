// DPDK testpmd io-forwarding between two net_vhost ports: no lookup at all, the upper bound of the
// vhost-user switches (images/testpmd/sb-switch-testpmd).
import {
  CONFIG_DIR,
  DPDK_CAPABILITIES,
  entrypoint,
  execProbe,
  options,
  SWITCH_PORTS,
  virtioUserEndpoint,
} from './common.js';
import { integer } from './quote.js';
import type { DatapathDriver } from './types.js';

export const testpmdDriver: DatapathDriver = {
  datapath: 'testpmd',
  network: () => undefined,
  switchPlan(context) {
    const { burst } = options(context.spec, 'testpmd');
    const [sender, receiver] = SWITCH_PORTS;
    return {
      image: context.images.switch,
      command: [
        entrypoint('testpmd'),
        'run',
        '--port',
        sender,
        '--port',
        receiver,
        '--burst',
        integer(burst, 1, 512, 'spec.testpmd.burst'),
      ],
      configFiles: [],
      configDir: CONFIG_DIR,
      startupProbe: execProbe([entrypoint('testpmd'), 'ready']),
      capabilities: [...DPDK_CAPABILITIES],
      sockets: [...SWITCH_PORTS],
    };
  },
  endpoint: (_context, role) => virtioUserEndpoint(role, false),
};
