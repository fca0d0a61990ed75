/**
 * The analyst's arithmetic, pure: revenue per month, a least-squares trend over the months, totals
 * per region and segment, and a quarter-over-quarter comparison when the context names a quarter.
 */

/** One order row as the collector hands it over. */
export interface OrderRow {
  date: string;
  region: string;
  segment: string;
  orders: number;
  revenue: number;
}

export interface MonthTotal {
  month: string;
  orders: number;
  revenue: number;
}

export interface Trend {
  /** Fitted change of monthly revenue per month. */
  slope: number;
  intercept: number;
  /** The slope as a percentage of the mean month. */
  growthPctPerMonth: number;
  /** Coefficient of determination: how much of the variation the line explains (0…1). */
  r2: number;
}

export interface QuarterSummary {
  quarter: string;
  revenue: number;
  previous: string;
  previousRevenue: number;
  changePct: number | null;
}

export interface Analysis {
  rows: number;
  totalRevenue: number;
  totalOrders: number;
  months: MonthTotal[];
  trend: Trend;
  byRegion: { name: string; revenue: number }[];
  bySegment: { name: string; revenue: number }[];
  quarter: QuarterSummary | null;
}

/** Totals per `YYYY-MM`, in calendar order. */
export function monthlyTotals(rows: readonly OrderRow[]): MonthTotal[] {
  const by = new Map<string, MonthTotal>();
  for (const r of rows) {
    const month = r.date.slice(0, 7);
    const t = by.get(month) ?? { month, orders: 0, revenue: 0 };
    t.orders += r.orders;
    t.revenue += r.revenue;
    by.set(month, t);
  }
  return [...by.values()].sort((a, b) => a.month.localeCompare(b.month));
}

/** Ordinary least squares of ys against 0, 1, 2, …; a flat line for fewer than two points. */
export function linearTrend(ys: readonly number[]): Trend {
  const n = ys.length;
  const mean = n === 0 ? 0 : ys.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { slope: 0, intercept: mean, growthPctPerMonth: 0, r2: 0 };
  const xMean = (n - 1) / 2;
  let sxy = 0;
  let sxx = 0;
  ys.forEach((y, x) => {
    sxy += (x - xMean) * (y - mean);
    sxx += (x - xMean) ** 2;
  });
  const slope = sxy / sxx;
  const intercept = mean - slope * xMean;
  let ssRes = 0;
  let ssTot = 0;
  ys.forEach((y, x) => {
    ssRes += (y - (intercept + slope * x)) ** 2;
    ssTot += (y - mean) ** 2;
  });
  return {
    slope,
    intercept,
    growthPctPerMonth: mean === 0 ? 0 : (slope / mean) * 100,
    r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot,
  };
}

/** Sums revenue by a column, largest first. */
export function revenueBy(
  rows: readonly OrderRow[],
  key: 'region' | 'segment',
): { name: string; revenue: number }[] {
  const by = new Map<string, number>();
  for (const r of rows) by.set(r[key], (by.get(r[key]) ?? 0) + r.revenue);
  return [...by].map(([name, revenue]) => ({ name, revenue })).sort((a, b) => b.revenue - a.revenue);
}

/** "Q4 2024" (anywhere in the context) → that quarter's revenue against the one before; else null. */
export function quarterSummary(months: readonly MonthTotal[], context: string): QuarterSummary | null {
  const m = /\bQ([1-4])\s*(\d{4})\b/i.exec(context);
  if (m === null) return null;
  const q = Number(m[1]);
  const year = Number(m[2]);
  const prev = q === 1 ? { q: 4, year: year - 1 } : { q: q - 1, year };
  const sum = (qq: number, yy: number): number =>
    months
      .filter((t) => Number(t.month.slice(0, 4)) === yy && Math.ceil(Number(t.month.slice(5, 7)) / 3) === qq)
      .reduce((a, t) => a + t.revenue, 0);
  const revenue = sum(q, year);
  const previousRevenue = sum(prev.q, prev.year);
  return {
    quarter: `Q${q} ${year}`,
    revenue,
    previous: `Q${prev.q} ${prev.year}`,
    previousRevenue,
    changePct: previousRevenue === 0 ? null : ((revenue - previousRevenue) / previousRevenue) * 100,
  };
}

export function analyze(rows: readonly OrderRow[], context: string): Analysis {
  const months = monthlyTotals(rows);
  return {
    rows: rows.length,
    totalRevenue: rows.reduce((a, r) => a + r.revenue, 0),
    totalOrders: rows.reduce((a, r) => a + r.orders, 0),
    months,
    trend: linearTrend(months.map((t) => t.revenue)),
    byRegion: revenueBy(rows, 'region'),
    bySegment: revenueBy(rows, 'segment'),
    quarter: quarterSummary(months, context),
  };
}

/** Parses the customers CSV (a header line, then comma-separated values without quoting). */
export function parseOrdersCsv(text: string): OrderRow[] {
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const cols = (header ?? '').split(',');
  const at = (name: string): number => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`customers CSV lacks the "${name}" column`);
    return i;
  };
  const [d, g, s, o, r] = [at('date'), at('region'), at('segment'), at('orders'), at('revenue')];
  return lines.map((line) => {
    const v = line.split(',');
    return {
      date: v[d] ?? '',
      region: v[g] ?? '',
      segment: v[s] ?? '',
      orders: Number(v[o]),
      revenue: Number(v[r]),
    };
  });
}
