// The generated program against what Snabb does with it, by file in Snabb (snabbco/snabb):
//   src/core/config.lua        config.app(c, name, class, arg), config.link(c, "app.port -> app.port")
//   src/apps/vhost/README.md   socket_path, is_server;  src/apps/bridge/README.md: ports
//   src/apps/vhost/vhost_user.lua  VhostUser:new keeps the server's socket in listen_socket; pull
//                              accepts while not connected; a 500 ms timer handles control messages
//                              and sets connected / vhost_ready
//   src/apps/vhost/vhost_user.c    vhost_user_listen leaves the socket blocking (backlog 1);
//                              vhost_user_accept takes EAGAIN as "no peer yet"
//   src/core/app.lua           engine.main: breathe, then timer.run, each turn; app_table, link_table
//   src/core/timer.lua         timer.new(name, fn, nanos, "repeating"), timer.activate
//   src/core/link.lua          transmit counts txpackets, or txdrop when the link is full; receive
//                              counts rxpackets; link.stats(link) returns them (src/README.md)
//   src/lib/virtio/net_device.lua  rx_packet_end puts every frame taken from the guest's ring on the
//                              app's tx link; tx_packet_start takes a frame off its rx link only for
//                              an available descriptor (lib/virtio/virtq_device.lua get_buffers)
//   lib/ljsyscall/syscall/syscalls.lua  S.fcntl(fd, cmd, arg); syscall/methods.lua sets O_NONBLOCK
//                              the same way, GETFL then SETFL
// The program also compiles under LuaJIT in test/switches, and runs there wherever Snabb is installed.
import { describe, expect, test } from '@jest/globals';
import type { SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { snabbDriver, snabbProgram } from '../../../src/datapaths/snabb.js';
import { contextFor, vdevArgs } from './context.js';

type Forwarding = 'port-to-port' | 'l2-learning';
const spec = (forwarding: Forwarding, cpuPolicy: 'exclusive' | 'shared' = 'exclusive') =>
  contextFor('snabb', { snabb: { forwarding }, resources: { cpuPolicy } as SwitchBenchmarkSpec['resources'] }).spec;

interface AppNetwork {
  apps: Map<string, { klass: string; arg: string }>;
  links: [string, string, string, string][];
}

function appNetwork(program: string): AppNetwork {
  const apps = new Map<string, { klass: string; arg: string }>();
  for (const [, name, klass, arg] of program.matchAll(/^config\.app\(c, "(\w+)", (.+?), (\{.*\})\)$/gm)) {
    if (apps.has(name as string)) throw new Error(`app ${name} defined twice`);
    apps.set(name as string, { klass: klass as string, arg: arg as string });
  }
  // Snabb's link spec: "app.port -> app.port" (core/config.lua parse_link).
  const links = [...program.matchAll(/^config\.link\(c, "(\w+)\.(\w+) -> (\w+)\.(\w+)"\)$/gm)].map(
    ([, a, b, c, d]) => [a, b, c, d] as [string, string, string, string],
  );
  return { apps, links };
}

describe.each(['port-to-port', 'l2-learning'] as const)('Snabb program, %s', (forwarding) => {
  const program = snabbProgram(spec(forwarding));
  const { apps, links } = appNetwork(program);

  test('every config.app and config.link line is in the documented form', () => {
    const calls = program.split('\n').filter((line) => line.startsWith('config.'));
    expect(calls.length).toBe(apps.size + links.length);
  });

  test.each([
    ['sender', '/run/switchbench/sender.sock'],
    ['receiver', '/run/switchbench/receiver.sock'],
  ])('the %s port is a vhost_user server on its socket', (name, socket) => {
    expect(apps.get(name)).toEqual({ klass: 'VhostUser', arg: `{socket_path = "${socket}", is_server = true}` });
  });

  test('links join defined apps, vhost_user apps through their tx output and rx input, each port once', () => {
    for (const [from, out, to, inp] of links) {
      expect(apps.has(from) && apps.has(to)).toBe(true);
      if (apps.get(from)?.klass === 'VhostUser') expect(out).toBe('tx');
      if (apps.get(to)?.klass === 'VhostUser') expect(inp).toBe('rx');
    }
    const outputs = links.map(([app, port]) => `${app}.${port}`);
    const inputs = links.map(([, , app, port]) => `${app}.${port}`);
    expect(new Set(outputs).size).toBe(outputs.length);
    expect(new Set(inputs).size).toBe(inputs.length);
  });

  test('VIRTIO_F_VERSION_1 (bit 32) is offered on both ports after configure, before the engine runs', () => {
    expect(program).toContain('local ports = {"sender", "receiver"}\nfor _, name in ipairs(ports) do');
    expect(program).toContain('app.dev.supported_features = app.dev.supported_features + 2^32');
    const order = ['engine.configure(c)', '2^32', 'engine.main()'].map((s) => program.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test("both listening sockets are made non-blocking before the engine's first pull, other flags kept", () => {
    const getfl = 'local flags = assert(S.fcntl(app.listen_socket, S.c.F.GETFL))';
    const setfl = 'assert(S.fcntl(app.listen_socket, S.c.F.SETFL, bit.bor(flags, S.c.O.NONBLOCK)))';
    expect(program).toContain('local S = require("syscall")');
    const order = ['engine.configure(c)', 'for _, name in ipairs(ports) do', getfl, setfl, 'engine.main()'].map((s) =>
      program.indexOf(s),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('an engine timer rewrites the status atomically: the links, and each port listening, connected or ready', () => {
    expect(program).toContain('for spec in pairs(engine.link_table) do f:write("link ", spec, "\\n") end');
    expect(program).toContain(
      'local state = app.vhost_ready and "ready" or app.connected and "connected" or "listening"',
    );
    expect(program).toContain('assert(os.rename("/var/run/switch/snabb-status.tmp", "/var/run/switch/snabb-status"))');
    // 200 ms: several rewrites within the probe's freshness limit (2 s) and its period (2 s).
    expect(program).toContain(
      'timer.activate(timer.new("switchbench status", write_status, 200000000, "repeating"))\n\nengine.busywait',
    );
  });

  test('the status also carries the port counters, computed under pcall so that a failure cannot stop the engine', () => {
    expect(program).toContain('local link = require("core.link")');
    expect(program).toContain('local s = link.stats(engine.link_table[spec])');
    const order = [
      'local function port_counters ()',
      'local function write_status ()',
      'local ok, counters = pcall(port_counters)',
      'f:write("counters ", counters, "\\n")',
      'f:write("counters-error ", (tostring(counters):gsub("%c", " ")), "\\n")',
      'f:close()',
      'assert(os.rename(',
    ].map((s) => program.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(program).toContain('return string.format("%d %d %d %d", in_tx, in_drop, out_rx, out_drop)');
  });

  test("the counters' links are found by the link table's specs: the one out of sender.tx and the one into receiver.rx", () => {
    // The Lua patterns "^sender%.tx " and " receiver%.rx$" over core/config.lua's canonical specs.
    expect(program).toContain('if spec:match("^sender%.tx ") then from = spec end');
    expect(program).toContain('if spec:match(" receiver%.rx$") then to = spec end');
    const specs = links.map(([a, b, c, d]) => `${a}.${b} -> ${c}.${d}`);
    expect(specs.filter((spec) => /^sender\.tx /.test(spec))).toHaveLength(1);
    expect(specs.filter((spec) => / receiver\.rx$/.test(spec))).toHaveLength(1);
  });
});

describe('Snabb forwarding', () => {
  test('port-to-port links the two vhost_user apps to each other', () => {
    expect(appNetwork(snabbProgram(spec('port-to-port'))).links).toEqual([
      ['sender', 'tx', 'receiver', 'rx'],
      ['receiver', 'tx', 'sender', 'rx'],
    ]);
  });

  test('l2-learning puts apps.bridge.learning between them, with a bridge port named after each', () => {
    const { apps, links } = appNetwork(snabbProgram(spec('l2-learning')));
    expect(apps.get('bridge')).toEqual({
      klass: 'require("apps.bridge.learning").bridge',
      arg: '{ports = {"sender", "receiver"}}',
    });
    expect(links).toEqual([
      ['sender', 'tx', 'bridge', 'sender'],
      ['bridge', 'sender', 'sender', 'rx'],
      ['receiver', 'tx', 'bridge', 'receiver'],
      ['bridge', 'receiver', 'receiver', 'rx'],
    ]);
  });

  test.each([
    ['port-to-port', true],
    ['l2-learning', false],
  ] as const)('port counters, %s: the link out of sender.tx is the one into receiver.rx: %s', (forwarding, same) => {
    // One link: every frame taken from the sender's ring (txpackets + txdrop) is IN_RX, and a frame
    // dropped on that link is OUT_DROPPED. Through the bridge, drops into the bridge are IN_DROPPED.
    const program = snabbProgram(spec(forwarding));
    const specs = appNetwork(program).links.map(([a, b, c, d]) => `${a}.${b} -> ${c}.${d}`);
    const from = specs.find((s) => s.startsWith('sender.tx '));
    const to = specs.find((s) => s.endsWith(' receiver.rx'));
    expect(from === to).toBe(same);
    expect(program).toContain('if from == to then in_tx, in_drop = in_tx + in_drop, 0 end');
  });

  test.each([
    ['exclusive', 'true'],
    ['shared', 'false'],
  ] as const)('cpuPolicy %s: engine.busywait = %s', (cpuPolicy, busywait) => {
    expect(snabbProgram(spec('port-to-port', cpuPolicy))).toContain(`engine.busywait = ${busywait}\n`);
  });
});

describe('Snabb driver', () => {
  test('the program is the ConfigMap file the entrypoint runs; Snabb needs IPC_LOCK and SYS_ADMIN for its DMA memory', () => {
    const plan = snabbDriver.switchPlan(contextFor('snabb'));
    expect(plan?.configFiles).toEqual([{ key: 'switch.lua', content: snabbProgram(spec('l2-learning')) }]);
    expect(plan?.command).toEqual([
      '/usr/local/bin/sb-switch-snabb',
      'run',
      '--state-dir',
      '/var/run/switch',
      '--program',
      '/etc/switchbench/switch.lua',
      '--socket',
      '/run/switchbench/sender.sock',
      '--socket',
      '/run/switchbench/receiver.sock',
    ]);
    expect(plan?.capabilities).toEqual(['IPC_LOCK', 'SYS_ADMIN']);
  });

  test.each(['sender', 'receiver'] as const)("the %s is a virtio-user client of Snabb's vhost_user server", (role) => {
    expect(vdevArgs(snabbDriver.endpoint(contextFor('snabb'), role).backendArgs)).toMatchObject({
      path: `/run/switchbench/${role}.sock`,
    });
  });
});
