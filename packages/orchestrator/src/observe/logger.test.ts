import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

function collector(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON lines tagged with the service name', () => {
    const { lines, stream } = collector();
    createLogger('info', stream).info({ goalId: 'g1' }, 'goal submitted');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'kos-orchestrator',
      level: 30,
      msg: 'goal submitted',
      goalId: 'g1',
    });
  });

  it('drops messages below the configured level', () => {
    const { lines, stream } = collector();
    const log = createLogger('warn', stream);
    log.info('quiet');
    log.warn('loud');
    expect(lines.map((l) => l['msg'])).toEqual(['loud']);
  });

  it('redacts bearer headers and token secrets', () => {
    const { lines, stream } = collector();
    createLogger('info', stream).info(
      { req: { headers: { authorization: 'Bearer kos_x' } }, token: { secret: 'kos_y' } },
      'token created',
    );
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('kos_x');
    expect(text).not.toContain('kos_y');
    expect(text).toContain('[redacted]');
  });
});
