import { describe, expect, it } from 'vitest';
import { agentLine } from './agent-lines.ts';

describe('agentLine', () => {
  it('shows a JSON log line as its message and fields, without time, level info or agent', () => {
    const line = JSON.stringify({
      level: 'info',
      time: '2025-01-01T00:00:00.000Z',
      agent: 'collector',
      msg: 'connected',
      resumed: 0,
      url: 'ws://127.0.0.1:7700/klp',
    });
    expect(agentLine('collector', line)).toBe('collector connected (resumed=0 url=ws://127.0.0.1:7700/klp)');
  });

  it('names the level when it is not info, and shortens long values', () => {
    const line = JSON.stringify({ level: 'warn', msg: 'cannot connect; retrying', error: 'x'.repeat(200) });
    const shown = agentLine('analyst', line);
    expect(shown).toMatch(/^analyst {3}warn: cannot connect; retrying \(error=x+…\)$/);
    expect(/error=(x+…)/.exec(shown)?.[1]).toHaveLength(72);
  });

  it('keeps a line that is not a JSON log entry as it is', () => {
    expect(agentLine('reporter', 'error KOS_ERR_IDENTITY_MISMATCH: bound to another key')).toBe(
      'reporter  error KOS_ERR_IDENTITY_MISMATCH: bound to another key',
    );
    expect(agentLine('reporter', '[1,2]')).toBe('reporter  [1,2]');
  });
});
