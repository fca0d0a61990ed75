/**
 * The server side of the dashboard (issue 12) over real HTTP: who am I, filtered goal lists and
 * bulk cancel, templates and previews, KPIs, task receipts of REST results, tensor explanations
 * and ready tasks per tier.
 */
import { describe, expect, it } from 'vitest';
import type { BulkCancelResponse, GoalListResponse, KpisResponse, WireEvent } from '@kos/contracts';
import { poll, useServer, type Http } from '@kos/testing';
import { configFile, registerAgent, submitDag } from './fixtures.ts';

const code = (body: unknown) => (body as { error: { code: string } }).error.code;

describe('the dashboard API', () => {
  // Rounds only on POST /assign, so ready tasks stay ready until a test asks.
  const running = useServer(() => ({ configFile: configFile(['scheduler:\n  auto_assign: false']) }));
  const admin = (): Http => running.admin;
  const tokenOf = async (role: string) =>
    (await admin().post<{ token: string }>('/orchestration/tokens', { role })).body.token;
  /** Every event so far: what a refused or read-only call must leave unchanged. */
  const eventCount = async () =>
    (await admin().get<{ events: WireEvent[] }>('/orchestration/events?limit=1000')).body.events.length;
  const goalIds = async (query: string) => {
    const res = await admin().get<GoalListResponse>(`/orchestration/goals?${query}`);
    expect(res.status).toBe(200);
    return res.body.goals.map((g) => g.id);
  };

  it('tells the caller its role and how it authenticated, and refuses one without credentials', async () => {
    const viewer = await tokenOf('viewer');
    const me = await admin().as(viewer).get('/orchestration/session');
    expect(me.body).toEqual({
      success: true,
      role: 'viewer',
      agent_name: null,
      expires_at: null,
      via: 'bearer',
    });
    const signIn = await fetch(`${running.server.url}/orchestration/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: viewer }),
    });
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const byCookie = await fetch(`${running.server.url}/orchestration/session`, { headers: { cookie } });
    const session = (await byCookie.json()) as { role: string; via: string; expires_at: string };
    expect([session.role, session.via]).toEqual(['viewer', 'cookie']);
    expect(Date.parse(session.expires_at)).toBeGreaterThan(Date.now());
    const anonymous = await admin().as(undefined).get('/orchestration/session');
    expect([anonymous.status, code(anonymous.body)]).toEqual([401, 'KOS_ERR_UNAUTHENTICATED']);
  });

  it('lists goals by template, text and several states, paging within the filter', async () => {
    const tag = `flt${Date.now()}`;
    const ids: string[] = [];
    for (const text of [`${tag} Alpha`, `${tag} beta`, `${tag} ALPHA two`, `other ${tag}`]) {
      ids.push((await submitDag(admin(), [{ name: 'a', skills: [`nobody-${tag}`] }], text)).goal_id);
    }
    const [a1, , a2, other] = ids;
    await admin().post(`/orchestration/goals/${a1}/cancel`, {});
    expect(await goalIds(`q=${tag}%20alpha`)).toEqual([a2, a1]);
    expect(await goalIds(`q=${tag}%20alpha&state=running`)).toEqual([a2]);
    expect(await goalIds(`q=${tag}%20alpha&state=running,cancelled`)).toEqual([a2, a1]);
    expect(await goalIds(`q=${tag}&template=explicit&limit=2`)).toEqual([other, a2]);
    const page = await admin().get<GoalListResponse>(`/orchestration/goals?q=${tag}&limit=2`);
    expect(await goalIds(`q=${tag}&limit=2&after=${page.body.next}`)).toEqual(ids.slice(0, 2).reverse());
    expect(await goalIds('template=no-such-template')).toEqual([]);
    for (const bad of ['state=running,nope', 'state=', `q=${'x'.repeat(201)}`, 'q=']) {
      const res = await admin().get(`/orchestration/goals?${bad}`);
      expect([bad, res.status, code(res.body)]).toEqual([bad, 400, 'KOS_ERR_VALIDATION']);
    }
  });

  it('cancels the open goals a filter matches, a batch at a time, as single cancels do', async () => {
    const tag = `bulk${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await submitDag(admin(), [{ name: 'a', skills: [`nobody-${tag}`] }], `${tag} ${i}`)).goal_id);
    }
    const viewer = admin().as(await tokenOf('viewer'));
    const submitter = admin().as(await tokenOf('submitter'));
    const before = await eventCount();
    for (const body of [
      {},
      { reason: 'everything', limit: 5 },
      { q: tag, limit: 501 },
      { q: tag, state: 'bogus' },
    ]) {
      const res = await admin().post('/orchestration/goals/cancel', body);
      expect([res.status, code(res.body)]).toEqual([400, 'KOS_ERR_VALIDATION']);
    }
    const refused = await viewer.post('/orchestration/goals/cancel', { q: tag });
    expect([refused.status, code(refused.body)]).toEqual([403, 'KOS_ERR_FORBIDDEN']);
    expect(await eventCount()).toBe(before);

    const first = await submitter.post<BulkCancelResponse>('/orchestration/goals/cancel', {
      q: tag,
      reason: 'clean up',
      limit: 2,
    });
    expect(first.body).toEqual({ success: true, cancelled: [ids[2], ids[1]], matched: 2, remaining: true });
    const second = await submitter.post<BulkCancelResponse>('/orchestration/goals/cancel', {
      q: tag,
      limit: 2,
    });
    expect(second.body).toEqual({ success: true, cancelled: [ids[0]], matched: 1, remaining: false });
    const none = await submitter.post<BulkCancelResponse>('/orchestration/goals/cancel', {
      q: tag,
      state: 'succeeded,cancelled',
    });
    expect(none.body).toEqual({ success: true, cancelled: [], matched: 0, remaining: false });
    // The events of a bulk-cancelled goal are those of a single cancel of the same goal.
    const single = (await submitDag(admin(), [{ name: 'a', skills: [`nobody-${tag}`] }], 'single')).goal_id;
    await submitter.post(`/orchestration/goals/${single}/cancel`, { reason: 'clean up' });
    const shape = async (goalId: string) =>
      (await admin().get<{ events: WireEvent[] }>(`/orchestration/events?goal_id=${goalId}`)).body.events.map(
        (e) => [e.kind, e.actor, e.data.from, e.data.to, e.data.reason],
      );
    expect(await shape(ids[1]!)).toEqual(await shape(single));
    expect(await goalIds(`q=${tag}&state=running`)).toEqual([]);
  });

  it('lists the templates and previews a submission without storing anything', async () => {
    const templates = await admin().get<{ templates: { name: string; keywords: string[]; match: string }[] }>(
      '/orchestration/templates',
    );
    const analysis = templates.body.templates.find((t) => t.name === 'analysis');
    expect(analysis?.keywords.length).toBeGreaterThan(0);
    expect(templates.body.templates.some((t) => t.match === 'always')).toBe(true);

    const viewer = admin().as(await tokenOf('viewer'));
    const before = [await eventCount(), (await goalIds('limit=500')).length];
    const preview = await admin().post<{
      template: string;
      priority: string;
      subtasks: { name: string; state: string }[];
    }>('/orchestration/goals/preview', {
      goal: 'analyze customer data trends',
      context: 'Q4',
      priority: 'HIGH',
    });
    expect(preview.status).toBe(200);
    expect([preview.body.template, preview.body.priority]).toEqual(['analysis', 'high']);
    expect(preview.body.subtasks.map((t) => t.state)).toContain('ready');
    const bad = await admin().post('/orchestration/goals/preview', {
      goal: 'bad dag',
      tasks: [
        { name: 'a', skills: ['x'], depends_on: ['b'] },
        { name: 'b', skills: ['x'], depends_on: ['a', 'ghost'] },
        { name: 'b', skills: ['x'] },
      ],
    });
    const details = (bad.body as { error: { details: { plan_problems: { path: string; task: string }[] } } })
      .error.details;
    expect([bad.status, code(bad.body)]).toEqual([422, 'KOS_ERR_DAG_DUPLICATE_TASK']);
    expect(details.plan_problems.map((p) => [p.path, p.task])).toEqual([
      ['tasks/2/name', 'b'],
      ['tasks/1/depends_on/1', 'b'],
    ]);
    expect((await viewer.post('/orchestration/goals/preview', { goal: 'x' })).status).toBe(403);
    // Nothing was stored: no event, no goal.
    expect([await eventCount(), (await goalIds('limit=500')).length]).toEqual(before);
  });

  it('reports KPIs, receipts of REST results, tensor explanations and ready tasks per tier', async () => {
    const skill = `kpi${Date.now()}`;
    const worker = await registerAgent(admin(), `kpi-${skill}`, [skill]);
    const goal = await submitDag(admin(), [
      { name: 'k1', skills: [skill], priority: 'critical' },
      { name: 'k2', skills: [skill], priority: 'low' },
    ]);
    const [k1, k2] = goal.subtasks.map((t) => t.id);
    const status = await admin().get<{ ready_by_priority: Record<string, number> }>('/orchestration/status');
    expect(status.body.ready_by_priority.critical).toBeGreaterThanOrEqual(1);
    const tensor = await admin().get<{
      entries: number[][];
      explanations: [number, number, { explanation: string }][];
    }>(`/orchestration/tensor?goal_id=${goal.goal_id}&format=sparse&explain=true`);
    expect(tensor.body.explanations).toHaveLength(tensor.body.entries.length);
    expect(tensor.body.explanations[0]![2].explanation).toMatch(/^load \d+\/\d+, trust/);
    const plain = await admin().get(`/orchestration/tensor?goal_id=${goal.goal_id}&format=sparse`);
    expect(plain.body).not.toHaveProperty('explanations');

    const receipt = async (id: string) =>
      (await admin().get<{ status: string }>(`/orchestration/tasks/${id}/receipt`)).body;
    expect(await receipt(k1!)).toMatchObject({ task_id: k1, status: 'no_result', key: null });
    const leases = await poll(async () => {
      await admin().post('/orchestration/assign');
      const l = await worker.leases();
      return l.length === 2 ? l : undefined;
    });
    for (const l of leases) {
      await worker.http.post('/orchestration/complete', {
        subtask_uuid: l.subtask_uuid,
        result: 1,
        epoch: l.epoch,
      });
    }
    expect(await receipt(k2!)).toMatchObject({ status: 'unproven', agent_id: worker.id, key: null });
    const missing = await admin().get('/orchestration/tasks/nope/receipt');
    expect([missing.status, code(missing.body)]).toEqual([404, 'KOS_ERR_TASK_NOT_FOUND']);

    const kpis = await admin().get<KpisResponse>('/orchestration/kpis?window_ms=600000&bucket_ms=60000');
    expect(kpis.status).toBe(200);
    expect(kpis.body.buckets).toHaveLength(10);
    expect(kpis.body.buckets.reduce((n, b) => n + b.succeeded, 0)).toBeGreaterThanOrEqual(2);
    expect(kpis.body.totals.response_p50_ms).not.toBeNull();
    expect(kpis.body.totals.success_rate).toBeGreaterThan(0);
    const defaults = await admin().get<KpisResponse>('/orchestration/kpis');
    expect([defaults.body.window_ms, defaults.body.bucket_ms, defaults.body.buckets.length]).toEqual([
      3_600_000, 60_000, 60,
    ]);
    for (const bad of [
      'window_ms=700000000',
      'bucket_ms=999',
      'window_ms=600000&bucket_ms=1000',
      'window_ms=1000&bucket_ms=2000',
    ]) {
      const res = await admin().get(`/orchestration/kpis?${bad}`);
      expect([bad, res.status, code(res.body)]).toEqual([bad, 400, 'KOS_ERR_VALIDATION']);
    }
  });
});
