import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.ts';

describe('Metrics', () => {
  it('renders every kOS metric with the labels of the events recorded', async () => {
    const m = new Metrics();
    m.goalSubmitted();
    m.taskTransition('succeeded');
    m.taskTransition('succeeded');
    m.roundFinished(0.004, 3);
    m.leaseRevoked('expired');
    m.httpRequest('/orchestration/goals', 'POST', 201, 0.012);
    m.rejected('KOS_ERR_STALE_EPOCH');
    m.storeCommit(8);
    m.storeBatchRedone();
    m.setGauges({ tasks: { ready: 4, running: 2 }, agents: { active: 3 }, readyQueueDepth: 4 });
    const text = await m.render();

    expect(text).toContain('kos_goals_submitted_total 1');
    expect(text).toContain('kos_tasks_transitions_total{to="succeeded"} 2');
    expect(text).toContain('kos_assignments_total 3');
    expect(text).toContain('kos_lease_revocations_total{reason="expired"} 1');
    expect(text).toContain(
      'kos_http_requests_total{route="/orchestration/goals",method="POST",status="201"} 1',
    );
    expect(text).toContain('kos_rejected_requests_total{code="KOS_ERR_STALE_EPOCH"} 1');
    expect(text).toContain('kos_tasks{state="ready"} 4');
    expect(text).toContain('kos_tasks{state="succeeded"} 0');
    expect(text).toContain('kos_agents{state="active"} 3');
    expect(text).toContain('kos_agents{state="lost"} 0');
    expect(text).toContain('kos_ready_queue_depth 4');
    expect(text).toContain('kos_http_request_duration_seconds_count{route="/orchestration/goals"} 1');
    expect(text).toContain('kos_assignment_round_duration_seconds_count 1');
    expect(text).toContain('kos_store_commit_batch_size_sum 8');
    expect(text).toContain('kos_store_batches_redone_total 1');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(m.contentType).toContain('text/plain');
  });

  it('does not count assignments for a round that assigned nothing', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.roundFinished(0.001, 0);
    const text = await m.render();
    expect(text).toContain('kos_assignment_round_duration_seconds_count 1');
    expect(text).toContain('kos_assignments_total 0');
  });

  it('resets a state gauge to 0 when later counts no longer include it', async () => {
    const m = new Metrics({ defaultMetrics: false });
    m.setGauges({ tasks: { leased: 5 } });
    m.setGauges({ tasks: { ready: 1 } });
    const text = await m.render();
    expect(text).toContain('kos_tasks{state="leased"} 0');
    expect(text).toContain('kos_tasks{state="ready"} 1');
  });

  it('keeps the counts of two instances apart', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.goalSubmitted();
    expect(await a.render()).toContain('kos_goals_submitted_total 1');
    expect(await b.render()).toContain('kos_goals_submitted_total 0');
  });
});
