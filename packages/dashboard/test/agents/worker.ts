/**
 * A test agent for the browser tests: handles every skill in KOS_TEST_SKILLS (comma-separated),
 * each task taking KOS_TEST_DELAY_MS (so a page can watch it run), failing the tasks whose input
 * says `{fail: true}` without retry. Run by `kos agent run` as a real process over KLP.
 */
import { TaskFailure, defineAgent } from '@kos/agent';

const skills = (process.env.KOS_TEST_SKILLS ?? 'work').split(',').filter(Boolean);
const delayMs = Number(process.env.KOS_TEST_DELAY_MS ?? '300');

const handler = async (
  task: { name: string; input: unknown },
  ctx: { progress(pct: number, msg?: string): Promise<void> },
) => {
  await ctx.progress(50, `working on ${task.name}`);
  await new Promise((r) => setTimeout(r, delayMs));
  const input = task.input as { fail?: boolean } | null;
  if (input !== null && typeof input === 'object' && input.fail === true) {
    throw TaskFailure.nonRetryable(`${task.name} was asked to fail`, { code: 'asked_to_fail' });
  }
  return { done: task.name, at: new Date().toISOString() };
};

export default defineAgent({
  name: process.env.KOS_TEST_AGENT ?? 'worker',
  maxParallel: Number(process.env.KOS_TEST_MAX_PARALLEL ?? '4'),
  handlers: Object.fromEntries(skills.map((s) => [s, handler])),
});
