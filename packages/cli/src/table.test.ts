import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTable, shortId, shortTime, truncate } from './table.ts';

describe('formatTable', () => {
  it('pads every column to its widest cell and trims trailing spaces', () => {
    const text = formatTable(
      ['ID', 'NAME'],
      [
        ['a', 'collector'],
        ['bbbb', 'x'],
      ],
    );
    expect(text).toBe(['ID    NAME', 'a     collector', 'bbbb  x'].join('\n'));
  });

  it('aligns the chosen columns to the right', () => {
    const text = formatTable(
      ['N', 'NAME'],
      [
        ['7', 'a'],
        ['123', 'b'],
      ],
      { alignRight: [0] },
    );
    expect(text.split('\n')).toEqual(['  N  NAME', '  7  a', '123  b']);
  });

  it('counts characters, not UTF-16 units, so arrows and accents keep columns straight', () => {
    const text = formatTable(
      ['A', 'B'],
      [
        ['→→', 'x'],
        ['é', 'y'],
      ],
    );
    expect(text.split('\n')).toEqual(['A   B', '→→  x', 'é   y']);
  });

  it('starts every cell of a column at the same offset, for any cells', () => {
    const cell = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.array(cell, { minLength: 4, maxLength: 4 })),
        (n, raw) => {
          const header = Array.from({ length: n }, (_, i) => `H${i}`);
          const rows = raw.map((r) => r.slice(0, n));
          const lines = formatTable(header, rows).split('\n');
          expect(lines).toHaveLength(rows.length + 1);
          const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
          [header, ...rows].forEach((r, i) => {
            let at = 0;
            r.forEach((v, c) => {
              expect(lines[i]?.slice(at, at + v.length)).toBe(v);
              at += (widths[c] ?? 0) + 2;
            });
          });
        },
      ),
    );
  });
});

describe('table helpers', () => {
  it('shortens ids to 8 characters and shows a dash for none', () => {
    expect(shortId('0bd2619e-47f8-4370-801b-144cf9642b6e')).toBe('0bd2619e');
    expect(shortId(null)).toBe('-');
  });

  it('cuts long text with an ellipsis and leaves short text alone', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('shows ISO times as date and second in UTC', () => {
    expect(shortTime('2024-11-22T10:01:02.345Z')).toBe('2024-11-22 10:01:02');
    expect(shortTime(null)).toBe('-');
  });
});
