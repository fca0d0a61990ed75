import { describe, expect, it } from 'vitest';
import { rowWindow } from './virtual-window.ts';

const base = { rowHeight: 30, viewportHeight: 300, overscan: 5 };

describe('rowWindow', () => {
  it('renders only the rows in view plus the overscan at the top of a long list', () => {
    expect(rowWindow({ ...base, count: 1000, scrollTop: 0 })).toEqual({
      start: 0,
      end: 16,
      padTop: 0,
      padBottom: (1000 - 16) * 30,
    });
  });

  it('keeps the padding equal to the rows left out, so the list keeps its full height', () => {
    const w = rowWindow({ ...base, count: 1000, scrollTop: 15_000 });
    expect(w.start).toBe(495);
    expect(w.end).toBe(516);
    expect(w.padTop + (w.end - w.start) * 30 + w.padBottom).toBe(1000 * 30);
  });

  it('clamps a scroll past the end (the list shrank under a filter) to the last rows', () => {
    const w = rowWindow({ ...base, count: 20, scrollTop: 99_999 });
    expect(w.end).toBe(20);
    expect(w.padBottom).toBe(0);
    expect(w.start).toBeLessThanOrEqual(10);
  });

  it('renders every row of a list shorter than the viewport, and nothing of an empty one', () => {
    expect(rowWindow({ ...base, count: 3, scrollTop: 0 })).toEqual({
      start: 0,
      end: 3,
      padTop: 0,
      padBottom: 0,
    });
    expect(rowWindow({ ...base, count: 0, scrollTop: 0 })).toEqual({
      start: 0,
      end: 0,
      padTop: 0,
      padBottom: 0,
    });
  });
});
