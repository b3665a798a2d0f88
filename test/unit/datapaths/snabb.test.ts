// Snabb could not be run here: the program is checked against Snabb's documented app network API
// (core/config.lua: config.app(c, name, class, arg), config.link(c, "app.port -> app.port");
// apps/vhost/README.md: socket_path, is_server; apps/bridge/README.md: ports) and its Lua compiles
// under LuaJIT in test/switches.
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
    expect(program).toContain('for _, name in ipairs({"sender", "receiver"}) do');
    expect(program).toContain('dev.supported_features = dev.supported_features + 2^32');
    const order = ['engine.configure(c)', '2^32', 'engine.main()'].map((s) => program.indexOf(s));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  test('the links the engine holds are written for the readiness probe, atomically', () => {
    expect(program).toContain('for spec in pairs(engine.link_table) do f:write(spec, "\\n") end');
    expect(program).toContain('assert(os.rename("/var/run/switch/snabb-links.tmp", "/var/run/switch/snabb-links"))');
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
