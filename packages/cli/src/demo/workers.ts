/**
 * The demo's three workers. Each gets its lease and a client holding its own agent token, and
 * reaches the work of the tasks before it only through the public API (GET /orchestration/tasks/:id).
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WireLease, WireTask } from '../api-types.ts';
import type { KosClient } from '../client.ts';
import { analyze, parseOrdersCsv, type Analysis, type OrderRow } from './analysis.ts';
import { reportMarkdown } from './report.ts';

export interface DemoWorker {
  /** The agent's name (its `context_id`). */
  name: string;
  skills: string[];
  work(lease: WireLease, api: KosClient): Promise<unknown>;
}

export const CUSTOMERS_CSV = new URL('../../demo/customers.csv', import.meta.url);
const COLUMNS = ['date', 'region', 'segment', 'orders', 'revenue'] as const;

/** What the collector hands on: the rows as arrays under one header, to keep the result small. */
export interface CollectedData {
  source: string;
  columns: typeof COLUMNS;
  rows: [string, string, string, number, number][];
}

export const collector: DemoWorker = {
  name: 'collector',
  skills: ['data_collection'],
  async work() {
    const rows = parseOrdersCsv(await readFile(CUSTOMERS_CSV, 'utf8'));
    const data: CollectedData = {
      source: 'customers.csv',
      columns: COLUMNS,
      rows: rows.map((r) => [r.date, r.region, r.segment, r.orders, r.revenue]),
    };
    return data;
  },
};

export const analyst: DemoWorker = {
  name: 'analyst',
  skills: ['data_analysis'],
  async work(lease, api) {
    const deps = await dependencies(api, lease.subtask_uuid);
    const collected = deps.map((t) => t.result).find(isCollectedData);
    if (collected === undefined) throw new Error('no dependency of this task produced customer rows');
    const rows: OrderRow[] = collected.rows.map(([date, region, segment, orders, revenue]) => ({
      date,
      region,
      segment,
      orders,
      revenue,
    }));
    return analyze(rows, await contextOf(lease, api));
  },
};

export function reporter(dataDir: string): DemoWorker {
  return {
    name: 'reporter',
    skills: ['reporting'],
    async work(lease, api) {
      const deps = await dependencies(api, lease.subtask_uuid);
      const analysis = deps.map((t) => t.result).find(isAnalysis);
      if (analysis === undefined) throw new Error('no dependency of this task produced an analysis');
      const { goal } = await api.getGoal(lease.goal_id);
      const dir = join(dataDir, 'reports');
      const path = join(dir, `${lease.goal_id}.md`);
      const text = reportMarkdown(goal, analysis, new Date());
      await mkdir(dir, { recursive: true });
      await writeFile(path, text);
      return { report_path: path, bytes: Buffer.byteLength(text) };
    },
  };
}

/** The tasks this task depends on, with their results. */
async function dependencies(api: KosClient, taskId: string): Promise<WireTask[]> {
  const { task } = await api.getTask(taskId);
  return Promise.all(task.depends_on.map(async (id) => (await api.getTask(id)).task));
}

/** The goal's context from the lease input when the template put it there, else from the goal. */
async function contextOf(lease: WireLease, api: KosClient): Promise<string> {
  const input = lease.input;
  if (
    typeof input === 'object' &&
    input !== null &&
    'context' in input &&
    typeof input.context === 'string'
  ) {
    return input.context;
  }
  return (await api.getGoal(lease.goal_id)).goal.context;
}

function isCollectedData(v: unknown): v is CollectedData {
  return typeof v === 'object' && v !== null && 'rows' in v && Array.isArray(v.rows) && 'columns' in v;
}

function isAnalysis(v: unknown): v is Analysis {
  return typeof v === 'object' && v !== null && 'trend' in v && 'months' in v && Array.isArray(v.months);
}
