// The soak's figures: one sample of the orchestrator process a minute, and the slope of each over
// the run (least squares), which says whether memory stays flat. Pure: the runner does the I/O.

export interface Sample {
  /** Minutes since the workload started. */
  minute: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** Event-loop delay p99 (ms), from prom-client's nodejs_eventloop_lag_p99_seconds. */
  loopP99Ms: number;
  activeHandles: number;
  openFds: number;
  /** Tasks that reached succeeded so far, and goals submitted so far. */
  tasksSucceeded: number;
  goalsSubmitted: number;
}

/** The value of an unlabelled (or first labelled) series in Prometheus text, or NaN. */
export function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (line === undefined) return NaN;
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The sum of every series of a metric whose labels contain `filter` (e.g. `state="succeeded"`). */
export function metricSum(text: string, name: string, filter = ''): number {
  return text
    .split('\n')
    .filter((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && l.includes(filter))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Least-squares slope of y over x; 0 with fewer than two points. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return 0;
  return points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
}

export interface Trend {
  /** MiB per hour, over the samples after the warm-up. */
  rssMiBPerHour: number;
  heapMiBPerHour: number;
  /** Handles and descriptors per hour: a leak of sockets or timers shows here first. */
  handlesPerHour: number;
  fdsPerHour: number;
  /** How many samples the slopes use (the first `warmup` minutes are left out). */
  used: number;
}

/** The slopes over the samples from minute `warmupMin` on (a process grows while caches fill). */
export function trend(samples: readonly Sample[], warmupMin: number): Trend {
  const used = samples.filter((s) => s.minute >= warmupMin);
  const per = (f: (s: Sample) => number) => slope(used.map((s) => ({ x: s.minute, y: f(s) }))) * 60;
  return {
    rssMiBPerHour: per((s) => s.rssMiB),
    heapMiBPerHour: per((s) => s.heapUsedMiB),
    handlesPerHour: per((s) => s.activeHandles),
    fdsPerHour: per((s) => s.openFds),
    used: used.length,
  };
}
