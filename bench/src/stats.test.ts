import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatNumber, formatRatio, markdownTable, percentile, ratio } from './stats.ts';

describe('percentile', () => {
  it('takes the nearest rank of the sorted values', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
  });

  it('is NaN without values', () => {
    expect(percentile([], 50)).toBeNaN();
  });

  it('always returns one of the values, and a higher p never returns less', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true }), { minLength: 1 }),
        fc.nat(100),
        fc.nat(100),
        (v, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(v).toContain(percentile(v, lo));
          expect(percentile(v, hi)).toBeGreaterThanOrEqual(percentile(v, lo));
        },
      ),
    );
  });
});

describe('ratio', () => {
  it('is above 1 when kOS is better, whichever direction is better', () => {
    expect(ratio(200, 100, 'higher')).toBe(2);
    expect(ratio(5, 10, 'lower')).toBe(2);
    expect(ratio(10, 5, 'lower')).toBe(0.5);
  });

  it('is NaN when a figure is missing or zero', () => {
    expect(ratio(0, 10, 'higher')).toBeNaN();
    expect(ratio(10, Number.NaN, 'lower')).toBeNaN();
  });
});

describe('formatting', () => {
  it('formats ratios with a times sign and a dash for none', () => {
    expect(formatRatio(0.4567)).toBe('0.46×');
    expect(formatRatio(12.4)).toBe('12×');
    expect(formatRatio(Number.NaN)).toBe('—');
  });

  it('formats numbers with separators and fewer decimals as they grow', () => {
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(12.34)).toBe('12.3');
    expect(formatNumber(1.234)).toBe('1.23');
    expect(formatNumber(undefined)).toBe('—');
  });

  it('pads every cell of a column to the same width', () => {
    const lines = markdownTable(['a', 'bb'], [['ccc', 'd']]).split('\n');
    expect(lines).toEqual(['| a   | bb |', '|-----|----|', '| ccc | d  |']);
  });
});
