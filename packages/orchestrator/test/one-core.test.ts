import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '@kos/protocol';
import { generateKey } from '@kos/protocol/node';
import { useServer } from '@kos/testing';
import { getTask, submitDag } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

/**
 * Both doors (REST and KLP) call the same use cases (src/app/), so a limit holds whichever one a
 * request comes through. Before the use-case layer, KLP results and hellos skipped these limits.
 */
describe('one core behind REST and KLP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kos-one-core-'));
  const configFile = join(dir, 'kos.yaml');
  writeFileSync(configFile, 'limits:\n  max_result_bytes: 64\n  max_skills_per_entity: 2\n');
  const running = useServer({ configFile });

  async function agentToken(name: string): Promise<string> {
    const res = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: name,
    });
    return res.body.token;
  }

  it('refuses a KLP result over limits.max_result_bytes as REST does, and the task stays leased', async () => {
    const key = generateKey();
    const klp = await RawKlp.connect(running.server.url, 'big-result');
    await klp.hello(key, ['big'], await agentToken('big-result'));
    const dag = await submitDag(running.admin, [{ name: 'big', skills: ['big'] }]);
    const req = (await klp.next((e) => e.type === 'TASK_REQUEST')) as Envelope<'TASK_REQUEST'>;
    const big = 'x'.repeat(200);
    const sent = klp.send(
      'TASK_RESULT',
      { task_id: req.payload.task_id, epoch: req.payload.epoch, status: 'succeeded', result: big },
      key,
    );
    const reply = (await klp.replyTo(sent.id)) as Envelope<'error'>;
    expect(reply.type).toBe('error');
    expect(reply.payload.code).toBe('KOS_ERR_LIMIT_EXCEEDED');
    expect(reply.payload.message).toContain('result size (bytes)');
    const task = await getTask(running.admin, dag.subtasks[0]!.id);
    expect(['leased', 'running']).toContain(task.state);
    // The same result over REST (as an admin acting for the holder) gets the same answer.
    const rest = await running.admin.post<{ error: { code: string } }>('/orchestration/complete', {
      subtask_uuid: req.payload.task_id,
      epoch: req.payload.epoch,
      result: big,
    });
    expect(rest.status).toBe(422);
    expect(rest.body.error.code).toBe('KOS_ERR_LIMIT_EXCEEDED');
    klp.close();
  });

  it('refuses a KLP hello with more skills than limits.max_skills_per_entity, as REST register does', async () => {
    const klp = await RawKlp.connect(running.server.url, 'many-skills');
    const welcome = await klp.hello(generateKey(), ['a', 'b', 'c'], await agentToken('many-skills'));
    expect(welcome.type).toBe('error');
    expect((welcome as Envelope<'error'>).payload.code).toBe('KOS_ERR_LIMIT_EXCEEDED');
    const rest = await running.admin.post<{ error: { code: string } }>('/orchestration/register', {
      context_id: 'many-skills-rest',
      skills: ['a', 'b', 'c'],
    });
    expect(rest.body.error.code).toBe('KOS_ERR_LIMIT_EXCEEDED');
    const agents = await running.admin.get<{ agents: { name: string }[] }>('/orchestration/agents');
    expect(agents.body.agents.map((a) => a.name)).not.toContain('many-skills');
  });
});
