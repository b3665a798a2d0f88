import { parseDuration } from '../../../src/api/v1alpha1/duration.js';

describe('parseDuration', () => {
  test.each([
    ['60s', 60],
    ['1m30s', 90],
    ['250ms', 0.25],
    ['1h', 3600],
    ['1.5s', 1.5],
    ['2h0m5s', 7205],
  ])('%s is %d s', (text, seconds) => {
    expect(parseDuration(text)).toBeCloseTo(seconds, 9);
  });

  test.each(['', '60', 's', '1 m', '-5s', '1d', 'one minute'])('rejects %j naming the allowed form', (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration such as 60s, 1m30s or 500ms/);
  });
});
