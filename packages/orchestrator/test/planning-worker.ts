/**
 * The worker of the planning tests, run by `kos agent run` as a real process over KLP: handles each
 * skill of KOS_TEST_SKILLS (comma-separated), answering `{done: <task name>, skill}`.
 */
import { defineAgent, type TaskHandler } from '@kos/agent';

const skills = (process.env.KOS_TEST_SKILLS ?? 'work').split(',');
const handler =
  (skill: string): TaskHandler =>
  (task) => ({ done: task.name, skill });

export default defineAgent({
  name: process.env.KOS_TEST_AGENT ?? 'planning-worker',
  maxParallel: 4,
  handlers: Object.fromEntries(skills.map((s) => [s, handler(s)])),
});
