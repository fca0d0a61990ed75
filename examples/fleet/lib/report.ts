/** The reporter's Markdown: what the analyst found, in a form a person reads. */
import type { Analysis } from './analysis.ts';

/** The goal the report answers. */
export interface ReportGoal {
  id: string;
  goal: string;
  context: string;
}

const money = (n: number): string =>
  n.toLocaleString('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const pct = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(1)}%`;

export function reportMarkdown(goal: ReportGoal, a: Analysis, at: Date): string {
  const t = a.trend;
  const direction = t.slope > 0 ? 'growing' : t.slope < 0 ? 'shrinking' : 'flat';
  const lines = [
    `# ${goal.goal}`,
    '',
    `Context: ${goal.context === '' ? '-' : goal.context} · goal \`${goal.id}\` · written ${at.toISOString()}`,
    '',
    '## Summary',
    '',
    `- ${a.rows} order rows, ${a.totalOrders} orders, ${money(a.totalRevenue)} revenue over ${a.months.length} months.`,
    `- Monthly revenue is ${direction}: ${money(t.slope)} a month (${pct(t.growthPctPerMonth)} of the average month), ` +
      `least-squares fit with R² = ${t.r2.toFixed(2)}.`,
  ];
  if (a.quarter !== null) {
    const q = a.quarter;
    const change =
      q.changePct === null ? 'no data for the quarter before' : `${pct(q.changePct)} on ${q.previous}`;
    lines.push(`- ${q.quarter}: ${money(q.revenue)} revenue, ${change} (${money(q.previousRevenue)}).`);
  }
  const top = a.byRegion[0];
  if (top !== undefined) lines.push(`- Largest region: ${top.name} (${money(top.revenue)}).`);
  lines.push(
    '',
    '## Revenue by month',
    '',
    '| month | orders | revenue | trend line |',
    '|---|---:|---:|---:|',
  );
  a.months.forEach((m, x) => {
    lines.push(`| ${m.month} | ${m.orders} | ${money(m.revenue)} | ${money(t.intercept + t.slope * x)} |`);
  });
  for (const [title, rows] of [
    ['region', a.byRegion],
    ['segment', a.bySegment],
  ] as const) {
    lines.push('', `## Revenue by ${title}`, '', `| ${title} | revenue | share |`, '|---|---:|---:|');
    for (const r of rows) {
      lines.push(`| ${r.name} | ${money(r.revenue)} | ${((r.revenue / a.totalRevenue) * 100).toFixed(1)}% |`);
    }
  }
  lines.push(
    '',
    '_Collected, analysed and written by three kOS agents (examples/fleet), one process each._',
    '',
  );
  return lines.join('\n');
}
