// Writes customers.csv: 204 made-up customer order rows for 2024 (17 a month), the same every run.
// Run once with `node examples/fleet/data/generate-customers.mjs`; the CSV is committed.
import { writeFileSync } from 'node:fs';
import { URL } from 'node:url';

// mulberry32: a tiny seeded PRNG, so the file is reproducible without a dependency.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = rng(2024);
const regions = ['North America', 'Europe', 'Asia Pacific', 'Latin America'];
const segments = [
  { name: 'Enterprise', orderValue: 1800, orders: [2, 9] },
  { name: 'Mid-Market', orderValue: 620, orders: [4, 18] },
  { name: 'SMB', orderValue: 140, orders: [10, 60] },
];
const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const rows = ['date,region,segment,orders,revenue'];
for (let m = 0; m < 12; m++) {
  // About 3% growth a month, plus a holiday lift in November and December.
  const lift = (1 + 0.03 * m) * (m >= 10 ? 1.12 : 1);
  const month = [];
  for (let i = 0; i < 17; i++) {
    const seg = segments[Math.floor(random() * segments.length)];
    const region = regions[Math.floor(random() * regions.length)];
    const [lo, hi] = seg.orders;
    const orders = lo + Math.floor(random() * (hi - lo + 1) * lift);
    const revenue = orders * seg.orderValue * (0.85 + 0.3 * random()) * lift;
    const day = 1 + Math.floor(random() * days[m]);
    const date = `2024-${String(m + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    month.push([date, region, seg.name, orders, revenue.toFixed(2)]);
  }
  month.sort((a, b) => a[0].localeCompare(b[0]));
  for (const r of month) rows.push(r.join(','));
}
writeFileSync(new URL('./customers.csv', import.meta.url), rows.join('\n') + '\n');
console.log(`wrote ${rows.length - 1} rows`);
