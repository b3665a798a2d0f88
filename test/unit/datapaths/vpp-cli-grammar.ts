import { expect } from '@jest/globals';

/** The grammar of each CLI command the VPP exec file may hold (the CLI sources are listed at the top of vpp.test.ts). */
const VPP_CLI_GRAMMAR = [
  /^create vhost-user socket \/\S+ server$/,
  /^set interface l2 xconnect \S+ \S+$/,
  /^create bridge-domain \d+ learn [01] forward [01] uu-flood [01] flood [01] arp-term [01]$/,
  /^set interface l2 bridge \S+ \d+$/,
  /^l2fib add [0-9a-f]{2}(:[0-9a-f]{2}){5} \d+ \S+ static$/,
  /^set interface state \S+ (up|down)$/,
];

/** The exec file's lines, each asserted to be one command of the grammar (the line is named on failure). */
export function vppCliLines(text: string): string[] {
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  for (const line of lines) expect([line, VPP_CLI_GRAMMAR.some((re) => re.test(line))]).toEqual([line, true]);
  return lines;
}
