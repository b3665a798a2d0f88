import { coefficientOfVariation, mean, median, stddev } from '../../../src/results/stats.js';

describe('statistics', () => {
  test.each([
    ['one value', [5], 5, 0, 5],
    ['two values', [1, 3], 2, Math.SQRT2, 2],
    ['odd count, unsorted', [9, 1, 5], 5, 4, 5],
    ['even count', [4, 1, 3, 2], 2.5, Math.sqrt(5 / 3), 2.5],
    ['a constant sample', [7, 7, 7, 7], 7, 0, 7],
  ])('%s', (_name, values, m, s, med) => {
    expect(mean(values)).toBeCloseTo(m, 12);
    expect(stddev(values)).toBeCloseTo(s, 12);
    expect(median(values)).toBe(med);
  });

  test('an empty sample has no statistics', () => {
    expect([mean([]), stddev([]), median([]), coefficientOfVariation([])].every(Number.isNaN)).toBe(true);
  });

  test.each([
    ['a steady rate', [1000, 1000, 1000], 0],
    ['the paper-grade 0.5 % spread', [995, 1000, 1005], 0.005],
    ['a shared machine flipping between a fast and a 3x slower level', [3000, 1000, 3000, 1000], 0.5773502691896258],
  ])('coefficient of variation of %s', (_name, values, cv) => {
    expect(coefficientOfVariation(values)).toBeCloseTo(cv, 12);
  });

  test('the coefficient of variation of a zero mean is undefined', () => {
    expect(coefficientOfVariation([0, 0])).toBeNaN();
  });

  test('median does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});
