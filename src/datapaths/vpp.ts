// FD.io VPP (24.10, FD.io's packages for Debian 12; see docs/switches.md): two vhost-user interfaces
// (VPP is the server), cross-connected or in one learning bridge domain. The interfaces are VPP's own
// vhost-user implementation, so the dpdk plugin stays off. The configuration was run with VPP 23.06
// by the switches tier's scenarios, which run wherever VPP is installed; the unit tests pin it to the
// grammar VPP's parsers accept.
import type { SwitchBenchmarkSpec, SwitchBenchmarkSpecVpp } from '../api/v1alpha1/types.js';
import {
  CONFIG_DIR,
  DPDK_CAPABILITIES,
  entrypoint,
  execProbe,
  options,
  PORT_MAC,
  SHARED_IDLE_SLEEP_US,
  sleepsWhenIdle,
  SWITCH_PORTS,
  virtioUserEndpoint,
} from './common.js';
import { choose, vpp } from './quote.js';
import { SWITCH_STATE_DIR, type DatapathDriver } from './types.js';

const STARTUP_FILE = 'startup.conf';
const CLI_FILE = 'switch.cli';
/** VPP's runtime directory: its CLI socket, stats socket and the entrypoint's working files. */
export const VPP_RUNTIME_DIR = `${SWITCH_STATE_DIR}/vpp`;
/** VPP names vhost-user interfaces in creation order: the sender's port is created first. */
const INTERFACES = ['VirtualEthernet0/0/0', 'VirtualEthernet0/0/1'] as const;
const BRIDGE_DOMAIN = 1;

/**
 * startup.conf without its cpu section: the CPUs are known only inside the container, so the
 * entrypoint appends `cpu { main-core … corelist-workers … }` from its allowed CPU set.
 */
export function vppStartupConf(spec: SwitchBenchmarkSpec): string {
  // poll-sleep-usec is VPP's way to yield the CPU: a fixed sleep per main-loop pass.
  const sleep = sleepsWhenIdle(spec) ? [vpp`  poll-sleep-usec ${SHARED_IDLE_SLEEP_US}`] : [];
  return [
    'unix {',
    '  nodaemon',
    '  nosyslog',
    vpp`  runtime-dir ${VPP_RUNTIME_DIR}`,
    vpp`  cli-listen ${VPP_RUNTIME_DIR}/cli.sock`,
    vpp`  exec ${CONFIG_DIR}/${CLI_FILE}`,
    ...sleep,
    '}',
    'statseg {',
    vpp`  socket-name ${VPP_RUNTIME_DIR}/stats.sock`,
    '}',
    'buffers {',
    '  buffers-per-numa 16384',
    '  page-size default-hugepage',
    '}',
    // A plugin's options go in braces: VPP reads them as a sub-input (VPP src/vlib/unix/plugin.c,
    // vlib_plugin_config), and "plugin dpdk_plugin.so disable" stops VPP at start-up.
    'plugins {',
    '  plugin dpdk_plugin.so { disable }',
    '}',
    '',
  ].join('\n');
}

const [toSender, toReceiver] = INTERFACES;

/** How the two interfaces are joined, per forwarding mode. */
const CONNECT: Record<SwitchBenchmarkSpecVpp['forwarding'], string[]> = {
  'l2-xconnect': [
    vpp`set interface l2 xconnect ${toSender} ${toReceiver}`,
    vpp`set interface l2 xconnect ${toReceiver} ${toSender}`,
  ],
  'bridge-domain': [
    vpp`create bridge-domain ${BRIDGE_DOMAIN} learn 1 forward 1 uu-flood 1 flood 1 arp-term 0`,
    ...INTERFACES.map((name) => vpp`set interface l2 bridge ${name} ${BRIDGE_DOMAIN}`),
    // The receiver never transmits, so the bridge could never learn its MAC and would flood:
    // a static entry is the steady state of a learned one.
    vpp`l2fib add ${PORT_MAC.receiver} ${BRIDGE_DOMAIN} ${toReceiver} static`,
  ],
};

/** The CLI commands VPP executes at start-up (`unix { exec … }`). */
export function vppCli(forwarding: SwitchBenchmarkSpecVpp['forwarding']): string {
  const connect = choose(forwarding, CONNECT, 'spec.vpp.forwarding');
  const create = SWITCH_PORTS.map((socket) => vpp`create vhost-user socket ${socket} server`);
  const up = INTERFACES.map((name) => vpp`set interface state ${name} up`);
  return `${[...create, ...connect, ...up].join('\n')}\n`;
}

export const vppDriver: DatapathDriver = {
  datapath: 'vpp',
  network: () => undefined,
  switchPlan(context) {
    const { forwarding } = options(context.spec, 'vpp');
    const [sender, receiver] = SWITCH_PORTS;
    return {
      image: context.images.switch,
      command: [
        entrypoint('vpp'),
        'run',
        '--state-dir',
        SWITCH_STATE_DIR,
        '--config',
        `${CONFIG_DIR}/${STARTUP_FILE}`,
        '--socket',
        sender,
        '--socket',
        receiver,
      ],
      configFiles: [
        { key: STARTUP_FILE, content: vppStartupConf(context.spec) },
        { key: CLI_FILE, content: vppCli(forwarding) },
      ],
      configDir: CONFIG_DIR,
      startupProbe: execProbe([entrypoint('vpp'), 'ready', '--state-dir', SWITCH_STATE_DIR]),
      // VPP locks its buffer memory; without IPC_LOCK, RLIMIT_MEMLOCK caps it (vlib/buffer.c). Its
      // NUMA-aware allocator makes the same memory-policy calls as DPDK's EAL (SYS_NICE under seccomp).
      capabilities: ['IPC_LOCK', ...DPDK_CAPABILITIES],
      sockets: [...SWITCH_PORTS],
    };
  },
  endpoint: (_context, role) => virtioUserEndpoint(role, false),
};
