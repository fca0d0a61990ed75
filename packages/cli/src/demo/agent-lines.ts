/**
 * The fleet's log lines as the demo shows them: each agent process writes JSON lines on stderr;
 * the terminal gets `collector  connected (agent_id=…)`, one short line each.
 */

const HIDDEN = new Set(['level', 'time', 'agent', 'msg']);
const MAX_VALUE_CHARS = 72;

/** One line of an agent's stderr, prefixed with its name; a line that is not JSON is kept as is. */
export function agentLine(name: string, line: string, width = 9): string {
  const prefix = `${name.padEnd(width)} `;
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return prefix + line;
  }
  if (typeof entry !== 'object' || entry === null || !('msg' in entry) || typeof entry.msg !== 'string') {
    return prefix + line;
  }
  const fields = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${short(typeof v === 'string' ? v : JSON.stringify(v))}`);
  const level = 'level' in entry && entry.level !== 'info' ? `${String(entry.level)}: ` : '';
  return `${prefix}${level}${entry.msg}${fields.length > 0 ? ` (${fields.join(' ')})` : ''}`;
}

function short(s: string): string {
  return s.length <= MAX_VALUE_CHARS ? s : `${s.slice(0, MAX_VALUE_CHARS - 1)}…`;
}
