/**
 * A sequential colour scale for the heatmap: pale for low values, dark for high, readable on
 * white and distinct for people with red-green colour blindness (viridis' end points, reversed).
 */
const STOPS: readonly [number, number, number][] = [
  [253, 231, 37],
  [94, 201, 98],
  [33, 145, 140],
  [59, 82, 139],
  [68, 1, 84],
];

/** `t` in 0–1 (clamped) → `rgb(r, g, b)`. */
export function colorAt(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i]!;
  const b = STOPS[i + 1]!;
  const mix = (k: 0 | 1 | 2) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** Maps values to 0–1 over their range; a single value (or one repeated) maps to 1. */
export function normalizer(values: readonly number[]): (v: number) => number {
  if (values.length === 0) return () => 1;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const span = max - min;
  return span === 0 ? () => 1 : (v) => (v - min) / span;
}
