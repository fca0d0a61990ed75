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

  it('is still refused as bad JSON when it holds anything but JSON', async () => {
    const res = await running.admin.request<ErrorBody>('POST', '/orchestration/assign', ' ', {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('KOS_ERR_BAD_JSON');
  });
});
