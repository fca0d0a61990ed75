import { describe, expect, it } from 'vitest';
import { useServer } from '@kos/testing';

interface ErrorBody {
  error: { code: string; message: string };
}

/** Many clients send `Content-Type: application/json` with an empty body for a body-less POST. */
describe('an empty JSON body', () => {
  const running = useServer();
  const emptyJson = (path: string) =>
    running.admin.request<ErrorBody>('POST', path, '', { 'content-type': 'application/json' });

  it('is no body: POST /orchestration/assign runs a round', async () => {
    const res = await emptyJson('/orchestration/assign');
    expect(res.status).toBe(200);
    expect(res.body).toHaveProperty('assignments');
  });

  it('gets the schema error of a missing body on a route that needs one', async () => {
    const res = await emptyJson('/orchestration/register');
    const absent = await running.admin.request<ErrorBody>('POST', '/orchestration/register');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('KOS_ERR_VALIDATION');
    expect(res.body).toEqual(absent.body);
  });

  it('is an empty body on a route whose fields are all optional: a task is cancelled without one', async () => {
    const goal = await running.admin.post<{ subtasks: { id: string }[] }>('/orchestration/decompose', {
      goal: 'no body',
      tasks: [{ name: 'idle', skills: ['nobody-has-this'] }],
    });
    const id = goal.body.subtasks[0]!.id;
    const absent = await running.admin.request<{ task: { state: string } }>(
      'POST',
      `/orchestration/tasks/${id}/cancel`,
    );
    expect(absent.status).toBe(200);
    expect(absent.body.task.state).toBe('cancelled');
    const empty = await emptyJson(`/orchestration/tasks/${id}/retry`);
    // Validated as `{}`: the answer is the retry's own refusal (the task is not dead), not a schema error.
    expect(empty.body.error.code).not.toBe('KOS_ERR_VALIDATION');
  });

  it('is still refused as bad JSON when it holds anything but JSON', async () => {
    const res = await running.admin.request<ErrorBody>('POST', '/orchestration/assign', ' ', {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('KOS_ERR_BAD_JSON');
  });
});
