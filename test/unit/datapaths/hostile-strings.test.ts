// Hostile values against every generator of a program's configuration (docs/security.md, boundary
// 2). Generators do not rely on the CRD's checks having run, so a field may hold anything. Each field
// that reaches a generator gets its valid values mixed with hostile ones (line breaks, quotes, Lua's
// long brackets and comments, shell syntax, NUL, unicode, 10 kB strings, non-strings,
// Object.prototype's names), and the generator must either refuse, with an error naming the field,
// or produce a configuration that reads, in the target's own syntax, exactly as a benign value's
// does. Snabb's programs run under LuaJIT against stubs of Snabb's API (snabb-stubs.lua), batched in
// one process; VPP's files are read as VPP tokenises them, every CLI line a known command; OVS's
// flows field by field; argv element by element. The quoting functions of src/datapaths/quote.ts get
// the same values directly.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { OpenApiSchema } from '../../../src/api/v1alpha1/schema.js';
import { crdSchemas, type Datapath, type SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { driverFor } from '../../../src/datapaths/index.js';
import { NETWORK_STATUS_ANNOTATION } from '../../../src/datapaths/network.js';
import { lua, luaSource, luaString, ovsFlow, vpp, vppToken, type OpenFlowRule } from '../../../src/datapaths/quote.js';
import type { RunContext, SwitchPlan } from '../../../src/datapaths/types.js';
import { contextFor } from './context.js';
import { vppCliLines } from './vpp-cli-grammar.js';

const RUNS = 500;
const SEED = Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31);
const STUBS = path.join(import.meta.dirname, 'snabb-stubs.lua');

// Cases each property ran, for the file's one summary line.
const ran: string[] = [];
/** An error message about a hostile value: one line of printable ASCII, the value escaped and cut (…). */
const PRINTABLE = /^[\x20-\x7e\u2026]+$/;
afterAll(() => console.log(`hostile strings (seed ${SEED}): ${ran.join('; ')}`));

function assertProperty<Ts>(property: fc.IProperty<Ts>): number {
  const details = fc.check(property, { numRuns: RUNS, seed: SEED });
  if (details.failed) throw new Error(fc.defaultReportMessage(details), { cause: details.errorInstance });
  return details.numRuns;
}

// ---- Hostile values ----

const PIECES = [
  '\n',
  '\r',
  '\r\n',
  '\u2028',
  "'",
  '"',
  '\\',
  '\\"',
  ']]',
  ']=]',
  '[[',
  '[==[',
  '--[[',
  '--',
  '$(touch /tmp/sb-pwned)',
  '`touch /tmp/sb-pwned`',
  '${IFS}',
  ';',
  '&&',
  '||',
  '|',
  '>',
  '\0',
  '\x1b[2J',
  '\x7f',
  '{',
  '}',
  '#',
  '%s',
  ' ',
  '\t',
  'é',
  'Ω',
  '日本',
  '😀',
  '\ud800',
  'os.execute("touch /tmp/sb-pwned")',
  '")\nos.execute("touch /tmp/sb-pwned")\n--',
  'exec /etc/passwd',
  'in_port=1,actions=drop',
];
const piece = fc.constantFrom(...PIECES);

/** Strings no configuration may carry as they are. */
const hostileText = fc.oneof(
  fc
    .array(fc.oneof(piece, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 })), {
      minLength: 1,
      maxLength: 10,
    })
    .map((parts) => parts.join('')),
  fc.tuple(piece, fc.integer({ min: 10_240, max: 10_400 })).map(([p, n]) => p.repeat(Math.ceil(n / p.length))),
  fc.string({ unit: 'binary', minLength: 10_240, maxLength: 10_240 }),
  fc.constantFrom('', ' ', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'),
);
const nonString = fc.constantFrom<unknown>(undefined, null, 0, -1, 1.5, NaN, Infinity, true, [], {}, ['x']);
/** A valid value with something around it, changed in case, or in an array: close, and still wrong. */
const nearMiss = (valid: readonly unknown[]) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...valid), piece, fc.boolean()).map(([v, p, before]) => (before ? p + v : `${v}${p}`)),
    fc.constantFrom(...valid).map((v) => String(v).toUpperCase()),
    fc.constantFrom(...valid).map((v) => [v]),
  );

// ---- The fields that reach a generator ----

const specSchema = crdSchemas.SwitchBenchmark.properties?.spec as OpenApiSchema;
const schemaAt = (field: string): OpenApiSchema => {
  const schema = field.split('.').reduce<OpenApiSchema | undefined>((s, key) => s?.properties?.[key], specSchema);
  if (!schema) throw new Error(`spec.${field} is not in the CRD`);
  return schema;
};

interface Field {
  /** Below spec, as block.key. */
  path: string;
  valid: (value: unknown) => boolean;
  /** What a benign spec holds instead of a hostile value. */
  benign: unknown;
  draw: fc.Arbitrary<unknown>;
  /** How the generator's error describes the allowed values. */
  allowed: string;
}

function enumField(field: string): Field {
  const values = schemaAt(field).enum as string[];
  return {
    path: field,
    valid: (v) => typeof v === 'string' && values.includes(v),
    benign: values[0],
    draw: fc.oneof(fc.constantFrom(...values), fc.oneof(hostileText, nonString, nearMiss(values))),
    allowed: `must be one of ${values.join(', ')}`,
  };
}

function integerField(field: string): Field {
  const { minimum: min = 0, maximum: max = 0 } = schemaAt(field);
  return {
    path: field,
    valid: (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
    benign: min,
    draw: fc.oneof(
      fc.integer({ min, max }),
      fc.oneof(
        hostileText,
        nonString,
        fc.constantFrom<unknown>(min - 1, max + 1, -0, 1e21, String(max), `${min}\n`),
        fc.double({ noInteger: true }),
      ),
    ),
    allowed: `must be an integer from ${min} to ${max}`,
  };
}

const RESOURCE_NAME = new RegExp(schemaAt('sriov.resourceName').pattern ?? '(?!)');
const resourceName: Field = {
  path: 'sriov.resourceName',
  valid: (v) => typeof v === 'string' && v.length <= 253 && RESOURCE_NAME.test(v),
  benign: 'intel.com/sriov_vfio',
  draw: fc.oneof(
    fc.constantFrom('intel.com/sriov_vfio', 'example.com/sriov-vf', 'vendor.io/a.b-c_d', 'example.com/Mellanox.CX6'),
    fc.oneof(hostileText, nonString, nearMiss(['intel.com/sriov_vfio'])),
  ),
  allowed: 'not an extended resource name',
};

const FIELDS = Object.fromEntries(
  [
    enumField('snabb.forwarding'),
    enumField('vpp.forwarding'),
    enumField('ovsDpdk.forwarding'),
    enumField('resources.cpuPolicy'),
    enumField('kernel.socket'),
    enumField('kernel.batching'),
    integerField('testpmd.burst'),
    integerField('sriov.vlan'),
    resourceName,
  ].map((f) => [f.path, f]),
);
const field = (name: string) => FIELDS[name] as Field;

/** The driver's context with `values` written into the defaulted spec, bypassing every check. */
function contextWith(datapath: Datapath, values: Record<string, unknown>): RunContext {
  const base = contextFor(
    datapath,
    datapath === 'sriov' ? { sriov: { resourceName: 'intel.com/sriov_vfio', vlan: 0 } } : {},
  );
  const spec = structuredClone(base.spec) as unknown as Record<string, Record<string, unknown>>;
  for (const [name, value] of Object.entries(values)) {
    const [block, key] = name.split('.') as [string, string];
    spec[block] = { ...spec[block], [key]: value };
  }
  return { ...base, spec: spec as unknown as SwitchBenchmarkSpec };
}

// ---- Each target read in its own syntax ----

/** startup.conf as VPP's unformat reads it: tokens end at white space, a brace is a token of its own. */
const vppTokens = (text: string) => text.match(/[{}]|[^\s{}]+/g) ?? [];

function cliCommands(text: string): string[][] {
  return vppCliLines(text).map((line) => line.split(' '));
}

// ovs-ofctl(8) flow syntax: comma-separated field=value pairs, actions last.
const FLOW = /^priority=\d+,(in_port=\d+,)?actions=(output:\d+|NORMAL)$/;

function flowTable(text: string): Record<string, string>[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      expect(line).toMatch(FLOW);
      return Object.fromEntries(line.split(',').map((pair) => pair.split('=') as [string, string]));
    });
}

function argv(args: readonly string[]): readonly string[] {
  for (const arg of args) expect(arg).toMatch(/^[\x21-\x7e]+$/);
  return args;
}

const files = (plan: SwitchPlan) => Object.fromEntries(plan.configFiles.map((f) => [f.key, f.content]));
const planShape = (plan: SwitchPlan) => ({
  ...plan,
  command: argv(plan.command),
  configFiles: plan.configFiles.map((f) => f.key),
});

interface Target {
  datapath: Datapath;
  /** Fields the generator reads: a hostile value in any of them must be refused. */
  reads: string[];
  /** Fields it does not read, fed hostile values too: they must change nothing. */
  ignores: string[];
  /** The generator's output in the structure its reader sees; a Snabb program separately, for LuaJIT. */
  read(context: RunContext): { structure: unknown; program?: string };
}

const switchPlan = (context: RunContext) => driverFor(context.spec.datapath).switchPlan(context) as SwitchPlan;
const RECEIVER_STATUS = {
  [NETWORK_STATUS_ANNOTATION]: JSON.stringify([
    { name: `bench/${'a'.repeat(40)}-run-12345-net`, interface: 'net1', ips: ['169.254.123.3'] },
  ]),
};

const TARGETS: [string, Target][] = [
  [
    'Snabb (Lua program)',
    {
      datapath: 'snabb',
      reads: ['snabb.forwarding', 'resources.cpuPolicy'],
      ignores: [],
      read: (context) => {
        const plan = switchPlan(context);
        return { structure: planShape(plan), program: files(plan)['switch.lua'] };
      },
    },
  ],
  [
    'VPP (startup.conf and CLI file)',
    {
      datapath: 'vpp',
      reads: ['vpp.forwarding', 'resources.cpuPolicy'],
      ignores: [],
      read: (context) => {
        const plan = switchPlan(context);
        const { 'startup.conf': startup = '', 'switch.cli': cli = '' } = files(plan);
        return { structure: { plan: planShape(plan), startup: vppTokens(startup), cli: cliCommands(cli) } };
      },
    },
  ],
  [
    'OVS-DPDK (flows and argv)',
    {
      datapath: 'ovs-dpdk',
      reads: ['ovsDpdk.forwarding', 'resources.cpuPolicy'],
      ignores: [],
      read: (context) => {
        const plan = switchPlan(context);
        return { structure: { plan: planShape(plan), flows: flowTable(files(plan)['flows.txt'] ?? '') } };
      },
    },
  ],
  [
    'testpmd (argv)',
    {
      datapath: 'testpmd',
      reads: ['testpmd.burst'],
      ignores: ['resources.cpuPolicy'],
      read: (context) => ({ structure: planShape(switchPlan(context)) }),
    },
  ],
  [
    'kernel traffic programs (argv)',
    {
      datapath: 'kernel',
      reads: ['kernel.socket', 'kernel.batching'],
      ignores: ['resources.cpuPolicy'],
      read: (context) => ({
        structure: (['receiver', 'sender'] as const).map((role) => {
          const plan = driverFor('kernel').endpoint(context, role, { annotations: RECEIVER_STATUS });
          return { ...plan, backendArgs: argv(plan.backendArgs) };
        }),
      }),
    },
  ],
  [
    'SR-IOV traffic programs (argv) and network',
    {
      datapath: 'sriov',
      reads: ['sriov.resourceName', 'sriov.vlan'],
      ignores: ['resources.cpuPolicy'],
      read: (context) => ({
        structure: {
          network: driverFor('sriov').network(context),
          endpoints: (['receiver', 'sender'] as const).map((role) => {
            const plan = driverFor('sriov').endpoint(context, role);
            return { ...plan, backendArgs: argv(plan.backendArgs) };
          }),
        },
      }),
    },
  ],
];

// ---- LuaJIT ----

function luajit(args: string[], input: Record<string, string>): string[][] {
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-hostile-'));
  try {
    for (const [name, text] of Object.entries(input)) writeFileSync(path.join(dir, name), text);
    const result = spawnSync('luajit', [STUBS, ...args.map((a) => (a in input ? path.join(dir, a) : a))], {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    if (result.error) throw new Error(`cannot run luajit (${result.error.message}): apt-get install luajit`);
    if (result.status !== 0) throw new Error(`luajit failed (status ${result.status}): ${result.stderr}`);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('done');
    // A call that left the sandbox: the real os and io are traps.
    expect(lines.filter((l) => l.startsWith('escaped\t'))).toEqual([]);
    return lines.slice(0, -1).map((l) => l.split('\t'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface LuaRun {
  ok: boolean;
  calls: string[][];
}

/** Runs each program once against Snabb's stubbed API, in one LuaJIT process. */
function runSnabbPrograms(programs: string[]): LuaRun[] {
  const input = Object.fromEntries(programs.map((text, i) => [`p${i}.lua`, text]));
  const runs: LuaRun[] = [];
  let current: LuaRun | undefined;
  for (const [kind, ...fields] of luajit(['programs', ...Object.keys(input)], input)) {
    if (kind === 'program') runs.push((current = { ok: false, calls: [] }));
    else if (kind === 'call') current?.calls.push(fields);
    else if (kind === 'end' && current) {
      current.ok = fields[1] === 'ok';
      if (!current.ok) current.calls.push(['error', ...fields.slice(2)]);
    }
  }
  expect(runs).toHaveLength(programs.length);
  return runs;
}

/** What a program made Snabb do: its app network in order, and every call, in an order of its own. */
const appNetwork = (run: LuaRun) => ({
  ok: run.ok,
  network: run.calls.filter(([call]) => call === 'app' || call === 'link'),
  calls: run.calls.map((c) => c.join('\t')).sort(),
});

test('luajit runs here (make test-unit installs it; elsewhere: apt-get install luajit)', () => {
  const result = spawnSync('luajit', ['-v'], { encoding: 'utf8' });
  if (result.error || result.status !== 0)
    throw new Error(`luajit is not installed: apt-get install luajit (${result.error?.message ?? result.stderr})`);
});

// ---- The generators ----

describe.each(TARGETS)('%s', (name, target) => {
  test(`a hostile value is refused naming its field, or reads as a benign one does (${RUNS} cases)`, () => {
    const fields = [...target.reads, ...target.ignores].map(field);
    const counts = { refused: 0, accepted: 0, acceptedHostile: 0 };
    const programs: { program: string; benign: string }[] = [];
    const runs = assertProperty(
      fc.property(fc.tuple(...fields.map((f) => f.draw)), (drawn) => {
        const values = Object.fromEntries(fields.map((f, i) => [f.path, drawn[i]]));
        const hostile = fields.filter((f) => !f.valid(values[f.path]));
        const benign = Object.fromEntries(fields.map((f) => [f.path, hostile.includes(f) ? f.benign : values[f.path]]));
        let output: ReturnType<Target['read']>;
        try {
          output = target.read(contextWith(target.datapath, values));
        } catch (err) {
          // Refused: for a value it reads, with what is allowed, on one line of bounded length.
          const message = err instanceof Error ? err.message : String(err);
          const named = hostile.filter((f) => target.reads.includes(f.path) && message.startsWith(`spec.${f.path} `));
          expect([message, named.length > 0]).toEqual([message, true]);
          expect(message).toContain((named[0] as Field).allowed);
          expect(message).toMatch(PRINTABLE);
          expect(message.length).toBeLessThan(300);
          counts.refused++;
          return;
        }
        expect(hostile.filter((f) => target.reads.includes(f.path)).map((f) => f.path)).toEqual([]);
        const expected = target.read(contextWith(target.datapath, benign));
        expect(output.structure).toEqual(expected.structure);
        if (output.program !== undefined)
          programs.push({ program: output.program, benign: expected.program as string });
        counts.accepted++;
        if (hostile.length) counts.acceptedHostile++;
      }),
    );
    let summary = `${name}: ${runs} cases, ${counts.refused} refused, ${counts.accepted} accepted (${counts.acceptedHostile} with a hostile value in a field it ignores)`;
    if (programs.length) {
      // Both programs of every accepted case, in one LuaJIT process.
      const results = runSnabbPrograms(programs.flatMap((p) => [p.program, p.benign]));
      for (let i = 0; i < programs.length; i++) {
        const [run, benign] = [results[2 * i] as LuaRun, results[2 * i + 1] as LuaRun];
        expect(run.calls.filter(([call]) => call === 'forbidden')).toEqual([]);
        expect(run.ok).toBe(true);
        expect(appNetwork(run)).toEqual(appNetwork(benign));
      }
      summary += `, ${results.length} programs run under LuaJIT`;
    }
    // Both outcomes must be common enough to mean something.
    expect(counts.refused).toBeGreaterThan(RUNS / 10);
    expect(counts.accepted).toBeGreaterThan(RUNS / 10);
    ran.push(summary);
  }, 60_000);
});

describe('the Snabb program under the stubs', () => {
  test.each([
    ['port-to-port', 'exclusive', ['sender.tx -> receiver.rx', 'receiver.tx -> sender.rx'], 'true'],
    [
      'l2-learning',
      'shared',
      [
        'sender.tx -> bridge.sender',
        'bridge.sender -> sender.rx',
        'receiver.tx -> bridge.receiver',
        'bridge.receiver -> receiver.rx',
      ],
      'false',
    ],
  ])(
    '%s, cpuPolicy %s: the app network, VERSION_1 offered, the status written, the engine started',
    (forwarding, cpuPolicy, links, busywait) => {
      const context = contextWith('snabb', { 'snabb.forwarding': forwarding, 'resources.cpuPolicy': cpuPolicy });
      const [run] = runSnabbPrograms([files(switchPlan(context))['switch.lua'] ?? '']);
      const calls = (run as LuaRun).calls;
      expect((run as LuaRun).ok).toBe(true);
      expect(calls.filter(([call]) => call === 'link').map(([, , spec]) => spec)).toEqual(links);
      expect(calls.filter(([call]) => call === 'app').slice(0, 2)).toEqual(
        (['sender', 'receiver'] as const).map((role) => [
          'app',
          'c',
          role,
          'VhostUser',
          `{is_server=true,socket_path="/run/switchbench/${role}.sock"}`,
        ]),
      );
      expect(calls).toEqual(
        expect.arrayContaining([
          ['features', 'sender', '4294967296'],
          ['features', 'receiver', '4294967296'],
          ['rename', '/var/run/switch/snabb-status.tmp', '/var/run/switch/snabb-status'],
          ['timer-ran', 'switchbench status', 'ok'],
          ['main', 'busywait', busywait],
        ]),
      );
    },
  );
});

// ---- The quoting functions ----

describe('luaString and the lua template', () => {
  test(`any string, in code and in a comment, reads back as exactly its UTF-8 bytes (${RUNS} strings)`, () => {
    const strings: string[] = [];
    const runs = assertProperty(
      fc.property(fc.oneof(hostileText, fc.string()), (s) => {
        // One line of printable ASCII: it cannot end a comment's line or open a long bracket's string.
        expect(luaString(s)).toMatch(/^"([\x20-\x21\x23-\x26\x28-\x5b\x5d-\x7e]|\\\d{3})*"$/);
        strings.push(s);
      }),
    );
    const chunk = lua`local t = {}
${strings.map(
  (s, i) => lua`-- ${s}
t[${i + 1}] = ${s}`,
)}
return t`;
    const lines = luajit(['literals', 'strings.lua'], { 'strings.lua': luaSource(chunk) });
    expect(lines[0]).toEqual(['count', String(strings.length)]);
    expect(lines.slice(1)).toEqual(
      strings.map((s, i) => ['literal', String(i + 1), Buffer.from(s, 'utf8').toString('hex')]),
    );
    ran.push(`luaString: ${runs} strings read back by LuaJIT`);
  }, 60_000);

  test.each([
    [-5, 'x = 1 -(-5)'],
    [0.5, 'x = 1 -0.5'],
    [true, 'x = 1 -true'],
  ] as const)('the number or boolean %p is written as Lua reads it', (value, text) => {
    expect(luaSource(lua`x = 1 -${value}`)).toBe(text);
  });

  test.each([NaN, Infinity, undefined, null, {}])('%p is no Lua value and is refused', (value) => {
    expect(() => lua`x = ${value as never}`).toThrow(/^Lua (number|value) /);
  });
});

describe('vppToken and the vpp template', () => {
  test(`a string is one VPP token as it is, or refused naming it (${RUNS} strings)`, () => {
    const counts = { refused: 0, accepted: 0 };
    const runs = assertProperty(
      fc.property(fc.oneof(hostileText, fc.stringMatching(/^[A-Za-z0-9_./:-]{1,40}$/)), (s) => {
        let token: string;
        try {
          token = vppToken(s);
        } catch (err) {
          expect((err as Error).message).toMatch(/^VPP token .*: VPP's configuration has no quoting/);
          expect((err as Error).message).toMatch(PRINTABLE);
          counts.refused++;
          return;
        }
        expect(token).toBe(s);
        expect(vppTokens(vpp`set interface state ${token} up`)).toEqual(['set', 'interface', 'state', s, 'up']);
        counts.accepted++;
      }),
    );
    expect(counts.refused).toBeGreaterThan(RUNS / 10);
    expect(counts.accepted).toBeGreaterThan(RUNS / 10);
    ran.push(`vppToken: ${runs} strings, ${counts.refused} refused`);
  }, 60_000);

  test.each([-1, 1.5, NaN, 2 ** 53])('the number %p is no VPP token', (value) => {
    expect(() => vpp`l2fib add ${value}`).toThrow('VPP number');
  });
});

describe('ovsFlow', () => {
  const port = fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 0xfeff }), weight: 4 },
    { arbitrary: fc.constantFrom<unknown>(0, -1, 0xff00, 0xffff, 1.5, NaN, '1', '1,actions=drop', null), weight: 1 },
  );
  const action = fc.oneof(
    { arbitrary: fc.constant<unknown>('NORMAL'), weight: 2 },
    { arbitrary: port.map((output) => ({ output })), weight: 2 },
    { arbitrary: fc.oneof(hostileText, nonString, fc.constantFrom('normal', 'drop', 'NORMAL,output:3')), weight: 1 },
  );
  const rule = fc.record({
    priority: fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 0xffff }), weight: 4 },
      { arbitrary: fc.constantFrom<unknown>(-1, 0x10000, 0.5, '100'), weight: 1 },
    ),
    inPort: fc.option(port, { nil: undefined }),
    action,
  });

  test(`a rule is written in ovs-ofctl's syntax with exactly its numbers, or refused (${RUNS} rules)`, () => {
    const counts = { refused: 0, accepted: 0 };
    const runs = assertProperty(
      fc.property(rule, (r) => {
        let flow: string;
        try {
          flow = ovsFlow(r as OpenFlowRule);
        } catch (err) {
          expect((err as Error).message).toMatch(/^OpenFlow (priority|in_port|output port|action) /);
          counts.refused++;
          return;
        }
        const fields = flowTable(`${flow}\n`)[0];
        expect(fields).toEqual({
          priority: String(r.priority),
          ...(r.inPort === undefined ? {} : { in_port: String(r.inPort) }),
          actions: r.action === 'NORMAL' ? 'NORMAL' : `output:${(r.action as { output: number }).output}`,
        });
        counts.accepted++;
      }),
    );
    expect(counts.refused).toBeGreaterThan(RUNS / 10);
    expect(counts.accepted).toBeGreaterThan(RUNS / 10);
    ran.push(`ovsFlow: ${runs} rules, ${counts.refused} refused`);
  }, 60_000);
});

describe('driverFor', () => {
  test("Object.prototype's names, a line break and a 10 kB name select no driver", () => {
    for (const datapath of ['__proto__', 'constructor', 'toString', 'snabb\n', 'x'.repeat(10_240)])
      expect(() => driverFor(datapath as Datapath)).toThrow(/^datapath "\S+ is unknown$/);
  });
});
