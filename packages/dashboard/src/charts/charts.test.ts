import { describe, expect, it } from 'vitest';
import { colorAt, normalizer } from './color-scale.ts';
import { cellAt, cellCentre, heatmapLayout } from './heatmap-layout.ts';

describe('the colour scale', () => {
  it('runs from pale at 0 to dark at 1 and clamps outside', () => {
    expect(colorAt(0)).toBe('rgb(253, 231, 37)');
    expect(colorAt(1)).toBe('rgb(68, 1, 84)');
    expect(colorAt(-3)).toBe(colorAt(0));
    expect(colorAt(7)).toBe(colorAt(1));
    expect(colorAt(Number.NaN)).toBe(colorAt(0));
  });

  it('normalises values over their range, a lone value to the top', () => {
    const n = normalizer([2, 4, 6]);
    expect([n(2), n(4), n(6)]).toEqual([0, 0.5, 1]);
    expect(normalizer([0.3, 0.3])(0.3)).toBe(1);
  });
});

describe('the heatmap layout', () => {
  const layout = heatmapLayout({ rows: 3, cols: 4, maxWidth: 1000, left: 100, top: 50 });

  it('caps the cell size so a few agents do not make giant cells', () => {
    expect(layout.cell).toBe(28);
    expect(layout.width).toBe(100 + 4 * 28 + layout.right);
  });

  it('shrinks cells to fit many agents, down to a floor', () => {
    expect(heatmapLayout({ rows: 1, cols: 100, maxWidth: 960, left: 100 }).cell).toBe(8);
    expect(heatmapLayout({ rows: 1, cols: 1000, maxWidth: 900, left: 100 }).cell).toBe(6);
  });

  it('finds the cell under a point and nothing in the gutters or past the grid', () => {
    const c = cellCentre(layout, 2, 3);
    expect(cellAt(layout, c.x, c.y)).toEqual({ row: 2, col: 3 });
    expect(cellAt(layout, 99, 60)).toBeNull();
    expect(cellAt(layout, 120, 49)).toBeNull();
    expect(cellAt(layout, 100 + 4 * 28, 60)).toBeNull();
    expect(cellAt(layout, 120, 50 + 3 * 28)).toBeNull();
  });
});
