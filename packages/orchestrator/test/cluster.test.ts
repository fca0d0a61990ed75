import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Http, poll, startServer, tempDir, type ServerHandle } from '@kos/testing';
import { createTestDatabase, type TestDatabase } from '../src/store/postgres/test-database.ts';

const FLEET = fileURLToPath(new URL('./fixtures/fleet-process.ts', import.meta.url));
// CI runs 12 × 50 = 600 tasks; KOS_CLUSTER_LAYERS=100 gives the 5,000-task run of docs/cluster.md.
const LAYERS = Number(process.env.KOS_CLUSTER_LAYERS ?? 12);
const WIDTH = 50;
const TASKS = LAYERS * WIDTH;

interface Event {
  seq: number;
  kind: string;
  task_id: string | null;
  data: { from?: string; to?: string; epoch?: number };
}

/** A layered DAG: each task of a layer depends on two tasks of the layer before. */
function layeredDag() {
  return Array.from({ length: TASKS }, (_, n) => {
    const layer = Math.floor(n / WIDTH);
    const i = n % WIDTH;
    const deps = layer === 0 ? [] : [`L${layer - 1}-${i}`, `L${layer - 1}-${(i + 1) % WIDTH}`];
    return { name: `L${layer}-${i}`, skills: ['work'], depends_on: deps };
  });
}

/**
 * Three orchestrator replicas on one PostgreSQL database, a fleet of agent processes spread over
 * them, and replicas killed with -9 mid-run (each one once, the leader among them).
 */
describe('three replicas on one PostgreSQL', () => {
  let db: TestDatabase;
  const replicas: (ServerHandle | null)[] = [];
  const ports: number[] = [];
  const dirs: string[] = [];
  const fleets: ChildProcess[] = [];
  const lines: Record<string, unknown>[] = [];
  let config: string;

  const live = (): Http => {
    const r = replicas.find((x) => x !== null);
    if (!r) throw new Error('no replica is up');
    return new Http(r.url, replicas[0]?.adminToken ?? r.adminToken);
  };

  const start = async (i: number) => {
    replicas[i] = await startServer({
      dataDir: dirs[i]!,
      configFile: config,
      ...(ports[i] ? { port: ports[i] } : {}),
      env: { KOS_STORE: db.url },
    });
    ports[i] = Number(new URL(replicas[i]!.url).port);
  };

  beforeAll(async () => {
    db = await createTestDatabase('kos_cluster');
    config = path.join(tempDir('kos-cluster-cfg-'), 'kos.yaml');
    writeFileSync(
      config,
      'heartbeat:\n  ttl_ms: 3000\n  sweep_interval_ms: 200\nleases:\n  ttl_ms: 3000\nlimits:\n  max_tasks_per_goal: 10000\n  max_body_bytes: 10485760\nlog:\n  level: warn\n',
    );
    for (let i = 0; i < 3; i++) dirs.push(tempDir(`kos-replica-${i}-`));
    for (let i = 0; i < 3; i++) await start(i);
  }, 120_000);

  afterAll(async () => {
    for (const f of fleets) f.kill('SIGKILL');
    for (const r of replicas) await r?.stop();
    for (const r of replicas) r?.cleanup();
    await db?.drop();
  }, 60_000);

  it(
    'runs a DAG while replicas die, losing nothing, completing nothing twice, never overlapping leases',
    async () => {
      const urls = replicas.map((r) => r!.url.replace(/^http/, 'ws') + '/klp').join(',');
      for (const prefix of ['east', 'west']) {
        const child = spawn(process.execPath, ['--import', 'tsx', FLEET], {
          env: {
            ...process.env,
            KOS_WS_URLS: urls,
            FLEET_SIZE: '6',
            FLEET_PREFIX: prefix,
            AGENT_TOKEN: replicas[0]!.adminToken,
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        createInterface({ input: child.stdout! }).on('line', (l) =>
          lines.push(JSON.parse(l) as Record<string, unknown>),
        );
        fleets.push(child);
      }
      await poll(() => lines.filter((l) => l.ready).length === 2, { timeoutMs: 30_000, what: 'the fleet' });

      const submitted = await live().post<{
        goal_id: string;
        subtasks: { id: string; name: string; depends_on: string[] }[];
      }>('/orchestration/decompose', { goal: 'cluster dag', tasks: layeredDag() });
      expect(submitted.status).toBe(201);
      const goalId = submitted.body.goal_id;
      const succeeded = async () =>
        (await live().get<{ tasks: { by_state: Record<string, number> } }>('/orchestration/status')).body
          .tasks.by_state.succeeded ?? 0;

      const recoveries: number[] = [];
      for (const victim of [0, 1, 2]) {
        await poll(async () => (await succeeded()) >= ((victim + 1) * TASKS) / 4, {
          timeoutMs: 60_000,
          what: 'progress',
        });
        const killedAt = Date.now();
        await replicas[victim]!.kill();
        replicas[victim] = null;
        // Agents of the dead replica fail over; work goes on without it.
        const before = await succeeded();
        await poll(async () => (await succeeded()) >= Math.min(TASKS, before + 20), {
          timeoutMs: 30_000,
          what: 'work after the kill',
        });
        // The agents that were on it are working elsewhere again.
        await poll(() => lines.some((l) => l.connected && Number(l.at) > killedAt), {
          what: 'agents to reconnect',
        });
        const reconnected = lines
          .filter((l) => l.connected && Number(l.at) > killedAt)
          .map((l) => Number(l.at) - killedAt);
        recoveries.push(reconnected.length > 0 ? Math.max(...reconnected) : 0);
        await start(victim);
      }

      await poll(
        async () =>
          (await live().get<{ goal: { state: string } }>(`/orchestration/goals/${goalId}`)).body.goal
            .state === 'succeeded',
        { timeoutMs: 90_000 + TASKS * 60, what: 'the goal to succeed' },
      );

      // The whole event log of the goal, in commit order.
      const events: Event[] = [];
      for (let after = 0; ;) {
        const page = await live().get<{ events: Event[]; next: number | null }>(
          `/orchestration/events?goal_id=${goalId}&after=${after}&limit=1000`,
        );
        events.push(...page.body.events);
        if (page.body.next === null) break;
        after = page.body.next;
      }
      const succeededAt = new Map<string, number[]>();
      for (const e of events) {
        if (e.kind === 'task.state' && e.data.to === 'succeeded') {
          succeededAt.set(e.task_id!, [...(succeededAt.get(e.task_id!) ?? []), e.seq]);
        }
      }
      // 0 lost, 0 completed twice.
      expect(succeededAt.size).toBe(TASKS);
      expect([...succeededAt.values()].filter((s) => s.length !== 1)).toEqual([]);
      // Dependency order.
      for (const t of submitted.body.subtasks) {
        for (const d of t.depends_on)
          expect(succeededAt.get(d)![0]!).toBeLessThan(succeededAt.get(t.id)![0]!);
      }
      // No two leases of one task overlap: each assignment starts after the previous lease ended.
      const active = new Map<string, number>();
      const overlaps: string[] = [];
      for (const e of events) {
        if (!e.task_id) continue;
        if (e.kind === 'task.assigned') {
          if (active.has(e.task_id))
            overlaps.push(`${e.task_id}: epoch ${e.data.epoch} while ${active.get(e.task_id)} held`);
          active.set(e.task_id, e.data.epoch!);
        } else if (
          e.kind === 'task.state' &&
          (e.data.from === 'leased' || e.data.from === 'running') &&
          e.data.to !== 'running'
        ) {
          active.delete(e.task_id);
        }
      }
      expect(overlaps).toEqual([]);

      const runs = lines.filter((l) => l.ran);
      const duplicates = runs.length - new Set(runs.map((l) => l.ran)).size;
      console.log(
        `cluster: ${TASKS} tasks, 3 replica kills; executions ${runs.length} (${duplicates} re-executions after lost leases); ` +
          `agents reconnected within ${recoveries.map((r) => `${r} ms`).join(', ')} of each kill`,
      );
    },
    240_000 + TASKS * 200,
  );
});
