import { describe, expect, it } from 'vitest';
import { generateKey } from '@kos/protocol/node';
import { poll, useServer } from '@kos/testing';
import { configFile } from './fixtures.ts';
import { RawKlp } from './klp-client.ts';

const FRAMES = 2_000;

describe('a KLP session that floods frames', () => {
  const running = useServer(() => ({ configFile: configFile(['limits:', '  max_frames_in_flight: 4']) }));

  it('is slowed by backpressure, not refused: every one of its queries is answered', async () => {
    const token = await running.admin.post<{ token: string }>('/orchestration/tokens', {
      role: 'agent',
      agent_name: 'flooder',
    });
    const klp = await RawKlp.connect(running.server.url, 'flooder');
    const key = generateKey();
    expect((await klp.hello(key, ['x'], token.body.token)).type).toBe('welcome');

    // Each query is store work answered later: more than 4 at once pause the socket.
    const ids = new Set(Array.from({ length: FRAMES }, () => klp.send('CAPABILITY_QUERY', {}, key).id));
    const answered = await poll(
      () => {
        const replies = klp.frames.filter(
          (f) => f.type === 'CAPABILITY_QUERY' && ids.has(f.context?.reply_to ?? ''),
        );
        return replies.length === FRAMES ? replies.length : undefined;
      },
      { timeoutMs: 30_000, what: `${FRAMES} answers` },
    );
    expect(answered).toBe(FRAMES);
    expect(klp.frames.filter((f) => f.type === 'error' || f.type === 'SECURITY_ALERT')).toEqual([]);

    const metrics = await (await fetch(`${running.server.url}/metrics`)).text();
    const paused = Number(
      /kos_limit_refusals_total\{kind="klp_backpressure"\} (\d+)/.exec(metrics)?.[1] ?? 0,
    );
    expect(paused).toBeGreaterThan(0);
    klp.close();
  });
});
