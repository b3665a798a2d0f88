// How a value reaches a switch's configuration: quoted where the target language has a quoting that
// holds for any input (Lua), checked to be one token where it has none (VPP's startup.conf and CLI),
// built from numbers where the syntax allows (OpenFlow), and refused otherwise. Generators do not
// rely on the CRD's checks having run (a SwitchBenchmarkRun can be created directly, and a schema
// can be wrong): each checks its values once more here, at the last step (docs/security.md,
// boundary 2).

/**
 * A value as an error message shows it: JSON, with everything outside printable ASCII escaped too
 * (DEL, C1 controls, line separators, bidirectional overrides), so that a status or log line stays
 * one line and shows what it says; and short, since a hostile value can be long.
 */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  const ascii = text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return ascii.length > 80 ? `${ascii.slice(0, 80)}…` : ascii;
}

/** An integer that reaches a command line or a configuration file, checked once more at the last step. */
export function integer(value: number, min: number, max: number, field: string): string {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${field} ${shown(value)}: must be an integer from ${min} to ${max}`);
  return String(value);
}

/**
 * The entry of `choices` an enum value of the spec selects, refused naming the field and the allowed
 * values when it is none of them. Only own keys count, so "__proto__" or "toString" select nothing;
 * a Record over the API's union type makes the choices exactly the enum.
 */
export function choose<K extends string, V>(value: unknown, choices: Readonly<Record<K, V>>, field: string): V {
  if (typeof value !== 'string' || !Object.hasOwn(choices, value))
    throw new Error(`${field} ${shown(value)}: must be one of ${Object.keys(choices).join(', ')}`);
  return choices[value as K];
}

const encoder = new TextEncoder();

/**
 * A Lua string literal holding exactly the UTF-8 bytes of `value`, whatever they are. Printable ASCII
 * stays, except \ " and '; every other byte is a decimal escape of three digits (Lua 5.1 and LuaJIT
 * read up to three, so a digit that follows cannot extend it). The literal is one line of ASCII:
 * it can neither close early nor end a line comment, and it never uses long brackets.
 */
export function luaString(value: string): string {
  let literal = '"';
  for (const byte of encoder.encode(value)) {
    const plain = byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x27 && byte !== 0x5c;
    literal += plain ? String.fromCharCode(byte) : `\\${String(byte).padStart(3, '0')}`;
  }
  return `${literal}"`;
}

const LUA_CODE = Symbol('lua code');

/** Lua source made by `lua` only: the one kind of value `lua` inserts as it is. */
export interface LuaCode {
  readonly [LUA_CODE]: string;
}

export type LuaValue = string | number | boolean | LuaCode | readonly LuaCode[];

function luaValue(value: LuaValue): string {
  if (typeof value === 'string') return luaString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Lua number ${shown(value)}: not finite`);
    // In parentheses, a negative number cannot make "--", a comment, with a minus before it.
    return value < 0 ? `(${value})` : String(value);
  }
  if (Array.isArray(value)) return value.map(luaValue).join('\n');
  if (typeof value === 'object' && value !== null && LUA_CODE in value) return value[LUA_CODE];
  throw new Error(`Lua value ${shown(value)}: not a string, number, boolean or Lua code`);
}

/**
 * Lua source from a template: every interpolated string becomes a literal (luaString), even in a
 * comment; numbers and booleans are written as Lua reads them; only code built by `lua` itself, or a
 * list of it (one per line), is inserted as code.
 */
export function lua(template: TemplateStringsArray, ...values: LuaValue[]): LuaCode {
  return { [LUA_CODE]: template.reduce((text, part, i) => text + luaValue(values[i - 1] as LuaValue) + part) };
}

/** The text of Lua source, for the file it goes into. */
export const luaSource = (code: LuaCode): string => code[LUA_CODE];

/**
 * What VPP reads as exactly one token of startup.conf or of a CLI file (unformat's %s ends a token at
 * white space, and a brace opens or closes a sub-input). VPP has no quoting to rely on, so anything
 * else is refused, never escaped.
 */
const VPP_TOKEN = /^[A-Za-z0-9_./:-]{1,255}$/;

export function vppToken(value: string): string {
  if (typeof value !== 'string' || !VPP_TOKEN.test(value))
    throw new Error(
      `VPP token ${shown(value)}: VPP's configuration has no quoting, so only 1 to 255 letters, digits and _ . / : - may reach it`,
    );
  return value;
}

/** VPP configuration from a template: every interpolated string is one vppToken, every number a non-negative integer. */
export function vpp(template: TemplateStringsArray, ...values: (string | number)[]): string {
  const token = (value: string | number) =>
    typeof value === 'number' ? integer(value, 0, Number.MAX_SAFE_INTEGER, 'VPP number') : vppToken(value);
  return template.reduce((text, part, i) => text + token(values[i - 1] as string | number) + part);
}

/** The highest port number OVS gives a port (ofport_request, ovs-vswitchd.conf.db(5)); reserved ports lie above. */
const MAX_OPENFLOW_PORT = 0xfeff;

/** One OpenFlow rule: numbers and the NORMAL action, so no text reaches the flow table. */
export interface OpenFlowRule {
  priority: number;
  inPort?: number;
  action: { output: number } | 'NORMAL';
}

/** A rule in ovs-ofctl's flow syntax (ovs-fields(7), ovs-actions(7)). */
export function ovsFlow(rule: OpenFlowRule): string {
  const fields = [`priority=${integer(rule.priority, 0, 0xffff, 'OpenFlow priority')}`];
  if (rule.inPort !== undefined)
    fields.push(`in_port=${integer(rule.inPort, 1, MAX_OPENFLOW_PORT, 'OpenFlow in_port')}`);
  const { action } = rule;
  if (action === 'NORMAL') fields.push('actions=NORMAL');
  else if (typeof action === 'object' && action !== null)
    fields.push(`actions=output:${integer(action.output, 1, MAX_OPENFLOW_PORT, 'OpenFlow output port')}`);
  else throw new Error(`OpenFlow action ${shown(action)}: must be NORMAL or an output port`);
  return fields.join(',');
}
