import { describe, expect, it } from 'vitest';
import { mergeFirstPage, visibleRange } from './virtual.ts';

describe('visibleRange', () => {
  it('renders the rows on screen plus the overscan', () => {
    expect(visibleRange(0, 300, 30, 10_000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(3000, 300, 30, 10_000, 5)).toEqual({ start: 95, end: 116 });
  });

  it('stays inside the list at its end and when empty', () => {
    expect(visibleRange(1e9, 300, 30, 100, 5)).toEqual({ start: 94, end: 100 });
    expect(visibleRange(0, 300, 30, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe('mergeFirstPage', () => {
  it('puts new goals on top and updates those already listed', () => {
    const current = [
      { id: 'b', v: 1 },
      { id: 'a', v: 1 },
    ];
    expect(
      mergeFirstPage(current, [
        { id: 'c', v: 1 },
        { id: 'b', v: 2 },
      ]),
    ).toEqual([
      { id: 'c', v: 1 },
      { id: 'b', v: 2 },
      { id: 'a', v: 1 },
    ]);
  });
});
