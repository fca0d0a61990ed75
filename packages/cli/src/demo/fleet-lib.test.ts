import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyze,
  linearTrend,
  monthlyTotals,
  parseOrdersCsv,
  quarterSummary,
  type OrderRow,
} from '../../../../examples/fleet/lib/analysis.ts';
import { collected, isCollectedData, orderRows } from '../../../../examples/fleet/lib/handoff.ts';
import { reportMarkdown } from '../../../../examples/fleet/lib/report.ts';

// The example fleet's pure logic (examples/fleet/lib), tested here because vitest runs packages/ only.
const CUSTOMERS_CSV = new URL('../../../../examples/fleet/data/customers.csv', import.meta.url);

const row = (date: string, revenue: number, orders = 1): OrderRow => ({
  date,
  region: 'Europe',
  segment: 'SMB',
  orders,
  revenue,
});

describe('linearTrend', () => {
  it('recovers slope and intercept of points on a line, with R² = 1', () => {
    const t = linearTrend([3, 5, 7, 9]);
    expect(t.slope).toBeCloseTo(2, 10);
    expect(t.intercept).toBeCloseTo(3, 10);
    expect(t.r2).toBeCloseTo(1, 10);
    expect(t.growthPctPerMonth).toBeCloseTo((2 / 6) * 100, 10);
  });

  it('fits the least-squares line through scattered points', () => {
    // x = 0..3, y = 1, 3, 2, 5: slope = Σ(x-1.5)(y-2.75)/Σ(x-1.5)² = 5.5/5 = 1.1, intercept = 2.75 - 1.65;
    // residuals -0.1, 0.8, -1.3, 0.6 → SSres 2.7; SStot 8.75.
    const t = linearTrend([1, 3, 2, 5]);
    expect(t.slope).toBeCloseTo(1.1, 10);
    expect(t.intercept).toBeCloseTo(1.1, 10);
    expect(t.r2).toBeCloseTo(1 - 2.7 / 8.75, 10);
  });

  it('is flat for fewer than two points', () => {
    expect(linearTrend([42])).toEqual({ slope: 0, intercept: 42, growthPctPerMonth: 0, r2: 0 });
  });

  it('recovers any line a + b·x', () => {
    const coef = fc.double({ min: -1e4, max: 1e4, noNaN: true });
    fc.assert(
      fc.property(coef, coef, fc.integer({ min: 2, max: 30 }), (a, b, n) => {
        const t = linearTrend(Array.from({ length: n }, (_, x) => a + b * x));
        expect(t.slope).toBeCloseTo(b, 6);
        expect(t.intercept).toBeCloseTo(a, 6);
      }),
    );
  });
});

describe('monthlyTotals', () => {
  it('sums revenue and orders per calendar month, in order', () => {
    const months = monthlyTotals([row('2024-02-10', 5, 2), row('2024-01-03', 1), row('2024-02-01', 10, 3)]);
    expect(months).toEqual([
      { month: '2024-01', orders: 1, revenue: 1 },
      { month: '2024-02', orders: 5, revenue: 15 },
    ]);
  });
});

describe('quarterSummary', () => {
  const months = monthlyTotals(
    ['07', '08', '09', '10', '11', '12'].map((m, i) => row(`2024-${m}-15`, i < 3 ? 100 : 150)),
  );

  it('compares the quarter named in the context with the one before', () => {
    expect(quarterSummary(months, 'Q4 2024')).toEqual({
      quarter: 'Q4 2024',
      revenue: 450,
      previous: 'Q3 2024',
      previousRevenue: 300,
      changePct: 50,
    });
  });

  it('is null when the context names no quarter, and has no change without a previous quarter', () => {
    expect(quarterSummary(months, 'all of 2024')).toBeNull();
    expect(quarterSummary(months, 'q3 2024')?.changePct).toBeNull();
  });
});

describe('the example fleet’s data', () => {
  it('holds about 200 rows over the 12 months of 2024, with growing revenue', () => {
    const rows = parseOrdersCsv(readFileSync(CUSTOMERS_CSV, 'utf8'));
    const a = analyze(rows, 'Q4 2024');
    expect(rows.length).toBe(204);
    expect(a.months.map((m) => m.month)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`),
    );
    expect(a.trend.slope).toBeGreaterThan(0);
    expect(a.quarter?.changePct).toBeGreaterThan(0);
    expect(a.totalRevenue).toBeCloseTo(
      a.months.reduce((s, m) => s + m.revenue, 0),
      6,
    );
  });
});

describe('the hand-off between the fleet agents', () => {
  it('carries the collected rows to the analyst unchanged', () => {
    const rows = [row('2024-01-03', 12.5, 2), row('2024-02-01', 7)];
    const data = JSON.parse(JSON.stringify(collected('orders.csv', rows))) as unknown;
    expect(isCollectedData(data)).toBe(true);
    if (!isCollectedData(data)) return;
    expect(orderRows(data)).toEqual(rows);
  });

  it('refuses a result that is not the collector’s', () => {
    expect(isCollectedData({ rows: [] })).toBe(false);
    expect(isCollectedData({ rows: [], columns: ['date', 'revenue'] })).toBe(false);
    expect(isCollectedData(null)).toBe(false);
  });
});

describe('reportMarkdown', () => {
  it('titles the report with the goal and has a section per breakdown', () => {
    const rows = parseOrdersCsv(readFileSync(CUSTOMERS_CSV, 'utf8'));
    const text = reportMarkdown(
      { id: 'g-1', goal: 'analyze customer data trends', context: 'Q4 2024' },
      analyze(rows, 'Q4 2024'),
      new Date('2025-01-02T03:04:05Z'),
    );
    expect(text.split('\n').filter((l) => l.startsWith('#'))).toEqual([
      '# analyze customer data trends',
      '## Summary',
      '## Revenue by month',
      '## Revenue by region',
      '## Revenue by segment',
    ]);
    expect(text).toContain('Context: Q4 2024 · goal `g-1` · written 2025-01-02T03:04:05.000Z');
    expect(text).toMatch(/^- Q4 2024: \$[\d,]+ revenue, \+\d+\.\d% on Q3 2024/m);
  });
});
