import { setCondition } from '../../../src/controller/conditions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T01:00:00Z');

describe('setCondition', () => {
  test('adds a condition with the generation it describes', () => {
    expect(
      setCondition(undefined, { type: 'Ready', status: 'True', reason: 'Completed', message: 'fine' }, 3, t0),
    ).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'Completed',
        message: 'fine',
        observedGeneration: 3,
        lastTransitionTime: t0.toISOString(),
      },
    ]);
  });

  test('keeps lastTransitionTime while the status stays, moves it when the status flips', () => {
    const first = setCondition([], { type: 'Ready', status: 'True', reason: 'Completed', message: 'fine' }, 1, t0);
    const same = setCondition(
      first,
      { type: 'Ready', status: 'True', reason: 'Admitted', message: 'still fine' },
      2,
      t1,
    );
    expect(same[0]).toMatchObject({ reason: 'Admitted', observedGeneration: 2, lastTransitionTime: t0.toISOString() });
    const flipped = setCondition(
      same,
      { type: 'Ready', status: 'False', reason: 'SwitchFailed', message: 'no' },
      2,
      t1,
    );
    expect(flipped[0]).toMatchObject({ status: 'False', lastTransitionTime: t1.toISOString() });
  });

  test('keeps other conditions, sorted by type, and never mutates its input', () => {
    const input = Object.freeze([
      Object.freeze({
        type: 'Ready',
        status: 'True' as const,
        reason: 'Completed',
        message: '',
        lastTransitionTime: t0.toISOString(),
      }),
    ]);
    const out = setCondition(input, { type: 'Degraded', status: 'False', reason: 'AsExpected', message: '' }, 1, t1);
    expect(out.map((c) => c.type)).toEqual(['Degraded', 'Ready']);
    expect(input).toHaveLength(1);
  });
});
