import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@kos/protocol';
import { generateKey } from '@kos/protocol/node';
import { Http, startServer, type ServerHandle } from '@kos/testing';
import { configFile, submitDag } from '../fixtures.ts';
import { RawKlp } from '../klp-client.ts';
import { DoorCounts, fuzzOptions, fuzzTimeoutMs } from './fuzz-options.ts';
import { frameCase, type FrameCase } from './klp-frames.ts';
import { StoreCounts } from './store-counts.ts';

const MAX_BYTES = 65_536;
/** Events a refused frame may add: the refusal's own record, the forger's quarantine, the session's end. */
const REFUSAL_EVENTS = new Set([
  'security.alert',
  'task.result_refused',
  'agent.state',
  'audit',
  'klp.session',
  'klp.receipts',
]);

/**
 * The KLP gateway over a real WebSocket: each run opens a session, says a valid hello, then sends
 * 1–4 malformed frames and a ping. Properties: every refusal is an `error` or `SECURITY_ALERT`
 * frame with a registered code, the server stays up, and no task or goal changes (the tasks are
 * real and ready, their ids used in forged results).
 */
describe('fuzzed KLP frames', () => {
  let server: ServerHandle;
  let admin: Http;
  let store: StoreCounts;
  let taskIds: string[] = [];
  const counts = new DoorCounts();

  beforeAll(async () => {
    server = await startServer({
      configFile: configFile([
        `limits:\n  max_body_bytes: ${MAX_BYTES}\n  token_rate_per_s: 1000000\n  token_burst: 1000000`,
        'scheduler:\n  auto_assign: false',
        'reconciler:\n  interval_ms: 0',
      ]),
    });
    admin = new Http(server.url, server.adminToken);
    const dag = await submitDag(admin, [
      { name: 'a', skills: ['fz'] },
      { name: 'b', skills: ['fz'], depends_on: ['a'] },
    ]);
    taskIds = dag.subtasks.map((t) => t.id);
    store = new StoreCounts(server.dataDir);
  });
  afterAll(async () => {
    counts.print('klp.fuzz.test.ts');
    store?.close();
    await server?.stop();
    server?.cleanup();
  });

  let n = 0;
  async function session() {
    const name = `fz-${n++}`;
    const token = (
      await admin.post<{ token: string }>('/orchestration/tokens', { role: 'agent', agent_name: name })
    ).body.token;
    const client = await RawKlp.connect(server.url, name);
    const key = generateKey();
    const welcome = await client.hello(key, ['other'], token);
    expect(welcome.type).toBe('welcome');
    return { client, key };
  }

  it(
    'refuses malformed, truncated, oversize, replayed, reordered and wrongly signed frames typed, changing no task',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(frameCase, { minLength: 1, maxLength: 4 }), async (cases: FrameCase[]) => {
          const { client, key } = await session();
          const before = store.read();
          const tasksBefore = store.tasks();
          for (const c of cases) {
            counts.add('KLP gateway frames');
            counts.add(`klp: ${c.kind}`);
            if (client.ws.readyState === client.ws.OPEN)
              c.send({ client, key, taskIds, maxBytes: MAX_BYTES });
          }
          // A ping is answered synchronously after every frame before it: the refusals are all out.
          if (client.ws.readyState === client.ws.OPEN) {
            const ping = client.build('ping', {});
            client.sendRaw(ping);
            await Promise.race([client.next((e) => e.context?.reply_to === ping.id), client.closed]);
          }
          for (const f of client.frames) {
            if (f.type !== 'error' && f.type !== 'SECURITY_ALERT') continue;
            const code = (f.payload as { code: string }).code;
            counts.add(`klp refusals received: ${code}`);
            expect(code in ERROR_CODES, `${f.type} with code ${code}`).toBe(true);
          }
          expect(store.tasks(), cases.map((c) => c.kind).join(', ')).toEqual(tasksBefore);
          const after = store.read();
          expect({ goals: after.goals, tasks: after.tasks, agents: after.agents }).toEqual({
            goals: before.goals,
            tasks: before.tasks,
            agents: before.agents,
          });
          const added = store.eventKindsAfter(before.last_seq!).filter((k) => !REFUSAL_EVENTS.has(k));
          expect(added, cases.map((c) => c.kind).join(', ')).toEqual([]);
          client.close();
        }),
        fuzzOptions(120),
      );
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(server.process.exitCode).toBeNull();
      // Nothing went wrong inside either: no error or fatal log line (pino levels 50, 60).
      expect(server.lines.filter((l) => /"level":(50|60)/.test(l)).map((l) => l.slice(0, 600))).toEqual([]);
    },
    fuzzTimeoutMs(60_000),
  );
});
