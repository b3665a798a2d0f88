import { cpuMode, cpuRequest, exclusiveCores, type PlacedRole } from '../../../../src/controller/run/placement.js';

// Per policy and role, behind a switch (testpmd) and without one (memif): whether the role's pod gets
// exclusive cores, and whether its traffic program busy-polls (a switch's own polling is its driver's).
describe('placement', () => {
  test.each([
    ['exclusive', 'switch', true, true, undefined],
    ['exclusive', 'sender', true, true, 'dedicated'],
    ['exclusive', 'receiver', true, true, 'dedicated'],
    ['exclusive', 'receiver', false, true, 'dedicated'],
    ['shared', 'switch', true, false, undefined],
    ['shared', 'sender', false, false, 'shared'],
    ['shared', 'receiver', false, false, 'shared'],
    // The device under test alone on its cores; sender and receiver share the rest, each sleeping
    // when it has nothing to do (a paced sender between bursts), so neither starves the other.
    ['isolated-dut', 'switch', true, true, undefined],
    ['isolated-dut', 'sender', true, false, 'shared'],
    ['isolated-dut', 'receiver', true, false, 'shared'],
    // Without a switch, the receiver is the device under test.
    ['isolated-dut', 'sender', false, false, 'shared'],
    ['isolated-dut', 'receiver', false, true, 'dedicated'],
  ] as const)(
    '%s: the %s (behind a switch: %s) gets exclusive cores %s and busy-polls as %s',
    (policy, role, behindSwitch, exclusive, mode) => {
      expect(exclusiveCores(policy, role as PlacedRole, behindSwitch)).toBe(exclusive);
      if (mode) expect(cpuMode(policy, role as PlacedRole, behindSwitch)).toBe(mode);
    },
  );

  // Whole CPUs for exclusive cores; under isolated-dut the others ask for none, so a node with just the
  // device under test's cores free still takes the run.
  test.each([
    ['exclusive', 'sender', true, '2'],
    ['exclusive', 'switch', true, '2'],
    ['isolated-dut', 'switch', true, '2'],
    ['isolated-dut', 'sender', true, '0'],
    ['isolated-dut', 'receiver', true, '0'],
    ['isolated-dut', 'receiver', false, '2'],
    ['shared', 'switch', true, '100m'],
    ['shared', 'receiver', false, '100m'],
  ] as const)('%s: the %s (behind a switch: %s) with 2 CPUs requests %s', (policy, role, behindSwitch, request) => {
    expect(cpuRequest(policy, role, behindSwitch, 2)).toBe(request);
  });
});
