// VPP's configuration, read here the way VPP's own parsers read it, so that a form VPP refuses fails
// this test rather than VPP's start-up (an unbraced plugin option once did: "vlib_plugin_config:
// unknown input ' plugin dpdk_plugin.so disable...'"). The parsers modelled, by file in FD.io VPP:
//   src/vppinfra/unformat.c   unformat_string (%s, %v): a token starting with "{" runs to the
//                             balancing "}", braces dropped; any other token ends at white space
//   src/vlib/cli.c            unformat_vlib_cli_sub_input: a sub-input must be "{ … }"
//   src/vlib/unix/plugin.c    vlib_plugin_config: "path %s" | "plugin %s %U" (a sub-input), and
//                             config_one_plugin: enable | disable | skip-version-check, not both
//   src/vlib/unix/main.c      unix_config: nodaemon, nosyslog, runtime-dir %s, cli-listen %s,
//                             exec %s, poll-sleep-usec %d
//   src/vlib/stats/stats.c    statseg_config: socket-name %s
//   src/vlib/buffer.c         vlib_buffers_configure: buffers-per-numa %u, page-size %U
//   src/plugins/vhost/vhost_user.c  create vhost-user: socket %s, server (src/vnet/devices/virtio in 23.06)
//   src/vnet/l2/l2_input.c    set interface l2 xconnect | bridge;  src/vnet/l2/l2_bd.c  create
//   bridge-domain;  src/vnet/l2/l2_fib.c  l2fib add;  src/vnet/interface_cli.c  set interface state
import { describe, expect, test } from '@jest/globals';
import type { SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { MAX_SOCKET_PATH_BYTES } from '../../../src/datapaths/types.js';
import { vppCli, vppDriver, vppStartupConf } from '../../../src/datapaths/vpp.js';
import { contextFor, vdevArgs } from './context.js';
import { vppCliLines } from './vpp-cli-grammar.js';

const context = (forwarding: 'l2-xconnect' | 'bridge-domain', cpuPolicy: 'exclusive' | 'shared' = 'exclusive') =>
  contextFor('vpp', { vpp: { forwarding }, resources: { cpuPolicy } as SwitchBenchmarkSpec['resources'] });

/** One token as unformat_string reads it from `at`; undefined at the end of the input. */
function token(text: string, at: number): { value: string; end: number } | undefined {
  let i = at;
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  if (i >= text.length) return undefined;
  if (text[i] !== '{') {
    let end = i;
    while (end < text.length && !/\s/.test(text[end] as string)) end++;
    return { value: text.slice(i, end), end };
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return { value: text.slice(i + 1, j), end: j + 1 };
  }
  throw new Error(`unbalanced braces from ${JSON.stringify(text.slice(i, i + 40))}`);
}

/** startup.conf as VPP splits it: "name { body }" pairs ("%s %v"), each body with its braces dropped. */
function sections(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (let at = 0; ;) {
    const name = token(text, at);
    if (!name) return found;
    const body = token(text, name.end);
    if (!body) throw new Error(`section ${name.value} has no body`);
    if (found.has(name.value)) throw new Error(`section ${name.value} given twice`);
    found.set(name.value, body.value);
    at = body.end;
  }
}

interface PluginConfig {
  enable: boolean;
  disable: boolean;
  skipVersionCheck: boolean;
}

/** The plugins section as vlib_plugin_config and config_one_plugin accept it; throws as VPP fails. */
function plugins(body: string): Map<string, PluginConfig> {
  const configured = new Map<string, PluginConfig>();
  for (let at = 0; ;) {
    const keyword = token(body, at);
    if (!keyword) return configured;
    const name = token(body, keyword.end);
    if (keyword.value === 'path' && name) {
      at = name.end;
      continue;
    }
    // The sub-input must open with a brace: unformat_vlib_cli_sub_input puts anything else back.
    const rest = name ? body.slice(name.end).trimStart() : '';
    if (keyword.value !== 'plugin' || !name || !rest.startsWith('{'))
      throw new Error(`unknown input '${body.slice(at).trim()}'`);
    const options = token(body, name.end) as { value: string; end: number };
    const config: PluginConfig = { enable: false, disable: false, skipVersionCheck: false };
    for (const word of options.value.split(/\s+/).filter(Boolean)) {
      if (word === 'enable') config.enable = true;
      else if (word === 'disable') config.disable = true;
      else if (word === 'skip-version-check') config.skipVersionCheck = true;
      else throw new Error(`unknown input '${word}'`);
    }
    if (config.enable && config.disable) throw new Error(`please specify either enable or disable for ${name.value}`);
    if (configured.has(name.value)) throw new Error(`plugin '${name.value}' already configured`);
    configured.set(name.value, config);
    at = options.end;
  }
}

/** The parameters each of the other sections' parsers accepts (one parameter per line here). */
const PARAMETERS: Record<string, RegExp[]> = {
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
};

const lines = (body: string) =>
  body
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

const param = (found: Map<string, string>, section: string, name: string) =>
  lines(found.get(section) ?? '')
    .find((line) => line.startsWith(`${name} `))
    ?.slice(name.length + 1);

describe("the model of VPP's parsers", () => {
  test('an option outside braces is refused, as VPP refused it', () => {
    expect(() => plugins(' plugin dpdk_plugin.so disable ')).toThrow("unknown input 'plugin dpdk_plugin.so disable'");
  });

  test('options in braces are read, nested braces are kept whole', () => {
    expect(plugins('plugin a.so { disable } plugin b.so {enable skip-version-check} path /x')).toEqual(
      new Map([
        ['a.so', { enable: false, disable: true, skipVersionCheck: false }],
        ['b.so', { enable: true, disable: false, skipVersionCheck: true }],
      ]),
    );
    expect(sections('a { b { c } d }\ne {}')).toEqual(
      new Map([
        ['a', ' b { c } d '],
        ['e', ''],
      ]),
    );
  });

  test('enable with disable, an unknown option or a plugin configured twice fail', () => {
    expect(() => plugins('plugin a.so { enable disable }')).toThrow('either enable or disable');
    expect(() => plugins('plugin a.so { off }')).toThrow("unknown input 'off'");
    expect(() => plugins('plugin a.so { disable } plugin a.so { disable }')).toThrow('already configured');
  });
});

describe('VPP startup.conf', () => {
  test.each([
    ['exclusive', 'l2-xconnect'],
    ['shared', 'bridge-domain'],
  ] as const)("cpuPolicy %s, %s: every section and parameter is one VPP's parsers accept", (cpuPolicy, forwarding) => {
    const found = sections(vppStartupConf(context(forwarding, cpuPolicy).spec));
    expect([...found.keys()].sort()).toEqual(['buffers', 'plugins', 'statseg', 'unix']);
    for (const [section, allowed] of Object.entries(PARAMETERS)) {
      for (const line of lines(found.get(section) ?? ''))
        expect([section, allowed.some((re) => re.test(line))]).toEqual([section, true]);
    }
    expect(() => plugins(found.get('plugins') ?? '')).not.toThrow();
  });

  test.each([
    ['exclusive', undefined],
    ['shared', '100'],
  ] as const)('cpuPolicy %s: the main loop sleeps %p µs per pass', (cpuPolicy, sleep) => {
    expect(param(sections(vppStartupConf(context('l2-xconnect', cpuPolicy).spec)), 'unix', 'poll-sleep-usec')).toBe(
      sleep,
    );
  });

  test('VPP stays in the foreground, executes the CLI file from the ConfigMap and keeps its sockets in the state directory', () => {
    const found = sections(vppStartupConf(context('l2-xconnect').spec));
    expect(lines(found.get('unix') ?? '')).toEqual(
      expect.arrayContaining(['nodaemon', 'exec /etc/switchbench/switch.cli', 'runtime-dir /var/run/switch/vpp']),
    );
    for (const socket of [param(found, 'unix', 'cli-listen'), param(found, 'statseg', 'socket-name')]) {
      expect(socket?.startsWith('/var/run/switch/vpp/')).toBe(true);
      expect(Buffer.byteLength(socket ?? '')).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    }
  });

  test("the dpdk plugin is off (vhost-user is VPP's own), its option in braces, and the CPUs are left to the entrypoint", () => {
    const text = vppStartupConf(context('l2-xconnect').spec);
    expect(text).toContain('plugins {\n  plugin dpdk_plugin.so { disable }\n}\n');
    expect(plugins(sections(text).get('plugins') ?? '')).toEqual(
      new Map([['dpdk_plugin.so', { enable: false, disable: true, skipVersionCheck: false }]]),
    );
    expect(sections(text).has('cpu')).toBe(false);
  });
});

describe('VPP CLI file', () => {
  test.each(['l2-xconnect', 'bridge-domain'] as const)('%s: every line is a CLI command VPP accepts', (forwarding) => {
    expect(vppCliLines(vppCli(forwarding)).length).toBeGreaterThan(0);
  });

  test.each(['l2-xconnect', 'bridge-domain'] as const)(
    '%s: both interfaces are created as servers on the switch sockets, sender first, and brought up',
    (forwarding) => {
      const cli = vppCli(forwarding).trimEnd().split('\n');
      expect(cli.slice(0, 2)).toEqual([
        'create vhost-user socket /run/switchbench/sender.sock server',
        'create vhost-user socket /run/switchbench/receiver.sock server',
      ]);
      expect(cli).toEqual(
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
    const cli = vppCli('bridge-domain').split('\n');
    expect(cli).toEqual(
      expect.arrayContaining([
        'create bridge-domain 1 learn 1 forward 1 uu-flood 1 flood 1 arp-term 0',
        'set interface l2 bridge VirtualEthernet0/0/0 1',
        'set interface l2 bridge VirtualEthernet0/0/1 1',
        'l2fib add 02:53:42:00:00:02 1 VirtualEthernet0/0/1 static',
      ]),
    );
    // The domain exists before interfaces join it.
    expect(cli.findIndex((l) => l.startsWith('create bridge-domain'))).toBeLessThan(
      cli.findIndex((l) => l.startsWith('set interface l2 bridge')),
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
