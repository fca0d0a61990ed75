/**
 * The agent of the MCP and A2A tests, run by `kos agent run` as a real process over KLP: handles
 * skill `work`, each task taking KOS_TEST_DELAY_MS and answering `{done: <task name>}`.
 */
import { defineAgent } from '@kos/agent';

const delayMs = Number(process.env.KOS_TEST_DELAY_MS ?? '100');

export default defineAgent({
  name: process.env.KOS_TEST_AGENT ?? 'work-agent',
  maxParallel: 4,
  handlers: {
    work: async (task: { name: string }) => {
      await new Promise((r) => setTimeout(r, delayMs));
      return { done: task.name };
    },
  },
});
