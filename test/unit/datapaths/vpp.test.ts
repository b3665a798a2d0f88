// VPP could not be run here: its configuration is checked against the syntax VPP 23.06 documents
// (docs/configuration/reference.rst for startup.conf, the CLI reference for the exec file).
import { describe, expect, test } from '@jest/globals';
import type { SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { MAX_SOCKET_PATH_BYTES } from '../../../src/datapaths/types.js';
import { vppCli, vppDriver, vppStartupConf } from '../../../src/datapaths/vpp.js';
import { contextFor, vdevArgs } from './context.js';

const context = (forwarding: 'l2-xconnect' | 'bridge-domain', cpuPolicy: 'exclusive' | 'shared' = 'exclusive') =>
  contextFor('vpp', { vpp: { forwarding }, resources: { cpuPolicy } as SwitchBenchmarkSpec['resources'] });

/** The documented parameters of each startup.conf section we use (one parameter per line). */
const STARTUP_GRAMMAR: Record<string, RegExp[]> = {
  unix: [
    /^nodaemon$/,
    /^nosyslog$/,
    /^runtime-dir \/\S+$/,
    /^cli-listen \/\S+$/,
    /^exec \/\S+$/,
    /^poll-sleep-usec \d+$/,
  ],
  statseg: [/^socket-name \/\S+$/],
  buffers: [/^buffers-per-numa \d+$/, /^page-size (4K|2M|1G|default|default-hugepage)$/],
  plugins: [/^plugin (default|[\w-]+\.so) (enable|disable)$/],
};

/** startup.conf as sections of parameter lines; throws on anything but `name {`, parameters and `}`. */
function parseStartup(text: string): Record<string, string[]> {
  const sections: Record<string, string[]> = {};
  let current: string[] | undefined;
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const open = /^([a-z-]+) \{$/.exec(line);
    if (open && !current) sections[open[1] as string] = current = [];
    else if (line === '}' && current) current = undefined;
    else if (current && !line.includes('{') && !line.includes('}')) current.push(line);
    else throw new Error(`unexpected line ${JSON.stringify(line)}`);
  }
  if (current) throw new Error('unterminated section');
  return sections;
}

const param = (sections: Record<string, string[]>, section: string, name: string) =>
  sections[section]?.find((line) => line.startsWith(`${name} `))?.slice(name.length + 1);

/** The documented grammar of each CLI command we use. */
const CLI_GRAMMAR = [
  /^create vhost-user socket \/\S+ server$/,
  /^set interface l2 xconnect \S+ \S+$/,
  /^create bridge-domain \d+ learn [01] forward [01] uu-flood [01] flood [01] arp-term [01]$/,
  /^set interface l2 bridge \S+ \d+$/,
  /^l2fib add [0-9a-f]{2}(:[0-9a-f]{2}){5} \d+ \S+ static$/,
  /^set interface state \S+ (up|down)$/,
];

describe('VPP startup.conf', () => {
  test.each([
    ['exclusive', 'l2-xconnect'],
    ['shared', 'bridge-domain'],
  ] as const)('cpuPolicy %s, %s: every section and parameter is one VPP documents', (cpuPolicy, forwarding) => {
    const sections = parseStartup(vppStartupConf(context(forwarding, cpuPolicy).spec));
    expect(Object.keys(sections).sort()).toEqual(['buffers', 'plugins', 'statseg', 'unix']);
    for (const [section, lines] of Object.entries(sections)) {
      for (const line of lines) expect(STARTUP_GRAMMAR[section]?.some((re) => re.test(line))).toBe(true);
    }
  });

  test.each([
    ['exclusive', undefined],
    ['shared', '100'],
  ] as const)('cpuPolicy %s: the main loop sleeps %p µs per pass', (cpuPolicy, sleep) => {
    expect(param(parseStartup(vppStartupConf(context('l2-xconnect', cpuPolicy).spec)), 'unix', 'poll-sleep-usec')).toBe(
      sleep,
    );
  });

  test('VPP stays in the foreground, executes the CLI file from the ConfigMap and keeps its sockets in the state directory', () => {
    const sections = parseStartup(vppStartupConf(context('l2-xconnect').spec));
    expect(sections.unix).toEqual(
      expect.arrayContaining(['nodaemon', 'exec /etc/switchbench/switch.cli', 'runtime-dir /var/run/switch/vpp']),
    );
    for (const socket of [param(sections, 'unix', 'cli-listen'), param(sections, 'statseg', 'socket-name')]) {
      expect(socket?.startsWith('/var/run/switch/vpp/')).toBe(true);
      expect(Buffer.byteLength(socket ?? '')).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    }
  });

  test("the dpdk plugin is off (vhost-user is VPP's own) and the CPUs are left to the entrypoint", () => {
    const sections = parseStartup(vppStartupConf(context('l2-xconnect').spec));
    expect(sections.plugins).toEqual(['plugin dpdk_plugin.so disable']);
    expect(sections.cpu).toBeUndefined();
  });
});

describe('VPP CLI file', () => {
  test.each(['l2-xconnect', 'bridge-domain'] as const)('%s: every line is a documented CLI command', (forwarding) => {
    for (const line of vppCli(forwarding).trimEnd().split('\n'))
      expect(CLI_GRAMMAR.some((re) => re.test(line))).toBe(true);
  });

  test.each(['l2-xconnect', 'bridge-domain'] as const)(
    '%s: both interfaces are created as servers on the switch sockets, sender first, and brought up',
    (forwarding) => {
      const lines = vppCli(forwarding).trimEnd().split('\n');
      expect(lines.slice(0, 2)).toEqual([
        'create vhost-user socket /run/switchbench/sender.sock server',
        'create vhost-user socket /run/switchbench/receiver.sock server',
      ]);
      expect(lines).toEqual(
        expect.arrayContaining([
          'set interface state VirtualEthernet0/0/0 up',
          'set interface state VirtualEthernet0/0/1 up',
        ]),
      );
    },
  );

  test('l2-xconnect cross-connects the interfaces both ways', () => {
    expect(vppCli('l2-xconnect')).toContain(
      'set interface l2 xconnect VirtualEthernet0/0/0 VirtualEthernet0/0/1\nset interface l2 xconnect VirtualEthernet0/0/1 VirtualEthernet0/0/0\n',
    );
  });

  test('bridge-domain puts both interfaces in one learning domain and pins the receiver MAC to its interface', () => {
    const lines = vppCli('bridge-domain').split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'create bridge-domain 1 learn 1 forward 1 uu-flood 1 flood 1 arp-term 0',
        'set interface l2 bridge VirtualEthernet0/0/0 1',
        'set interface l2 bridge VirtualEthernet0/0/1 1',
        'l2fib add 02:53:42:00:00:02 1 VirtualEthernet0/0/1 static',
      ]),
    );
    // The domain exists before interfaces join it.
    expect(lines.findIndex((l) => l.startsWith('create bridge-domain'))).toBeLessThan(
      lines.findIndex((l) => l.startsWith('set interface l2 bridge')),
    );
  });
});

describe('VPP driver', () => {
  test('the plan carries both files and the entrypoint gets the state directory, the config and the sockets it must remove', () => {
    const plan = vppDriver.switchPlan(context('bridge-domain'));
    expect(plan?.configFiles.map((f) => f.key)).toEqual(['startup.conf', 'switch.cli']);
    expect(plan?.command).toEqual([
      '/usr/local/bin/sb-switch-vpp',
      'run',
      '--state-dir',
      '/var/run/switch',
      '--config',
      '/etc/switchbench/startup.conf',
      '--socket',
      '/run/switchbench/sender.sock',
      '--socket',
      '/run/switchbench/receiver.sock',
    ]);
    expect(plan?.capabilities).toEqual(['IPC_LOCK', 'SYS_NICE']);
  });

  test.each(['sender', 'receiver'] as const)("the %s is a virtio-user client of VPP's vhost-user server", (role) => {
    expect(vdevArgs(vppDriver.endpoint(context('l2-xconnect'), role).backendArgs)).toMatchObject({
      path: `/run/switchbench/${role}.sock`,
    });
    expect(vdevArgs(vppDriver.endpoint(context('l2-xconnect'), role).backendArgs).server).toBeUndefined();
  });
});
