import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat } from './logger.ts';

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

/** The raw text written, to a destination that says whether it is a terminal. */
function textCollector(isTTY: boolean): {
  text: () => string;
  stream: { isTTY: boolean; write(s: string): void };
} {
  let text = '';
  return {
    text: () => text,
    stream: {
      isTTY,
      write: (s: string) => {
        text += s;
      },
    },
  };
}

const json = (level: 'info' | 'warn') => ({ level, format: 'json' as const });

describe('createLogger', () => {
  it('writes JSON lines tagged with the service name', () => {
    const { lines, stream } = collector();
    createLogger(json('info'), stream).info({ goalId: 'g1' }, 'goal submitted');
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
    const log = createLogger(json('warn'), stream);
    log.info('quiet');
    log.warn('loud');
    expect(lines.map((l) => l['msg'])).toEqual(['loud']);
  });

  it('redacts bearer headers and token secrets', () => {
    const { lines, stream } = collector();
    createLogger(json('info'), stream).info(
      { req: { headers: { authorization: 'Bearer kos_x' } }, token: { secret: 'kos_y' } },
      'token created',
    );
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('kos_x');
    expect(text).not.toContain('kos_y');
    expect(text).toContain('[redacted]');
  });
});

describe('createLogger formats', () => {
  const write = (format: LogFormat, isTTY: boolean): string => {
    const { text, stream } = textCollector(isTTY);
    const log = createLogger({ level: 'info', format }, stream);
    log.info({ goalId: 'g1', token: { secret: 'kos_y' } }, 'goal submitted');
    return text();
  };
  const isJson = (text: string): boolean => {
    try {
      return typeof JSON.parse(text) === 'object';
    } catch {
      return false;
    }
  };

  it('writes pretty as one readable line per record with its fields, not JSON, still redacted', () => {
    const text = write('pretty', false);
    expect(isJson(text)).toBe(false);
    const [first, ...fields] = text.trimEnd().split('\n');
    expect(first).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: goal submitted$/);
    expect(fields.join('\n')).toContain('goalId: "g1"');
    expect(text).not.toContain('kos_y');
    expect(text).not.toMatch(/pid|hostname|kos-orchestrator/);
    expect(text).not.toContain('\u001b['); // no colours: the destination is no terminal
  });

  it('colours pretty lines written to a terminal', () => {
    expect(write('pretty', true)).toContain('\u001b[');
  });

  it('writes json as JSON even to a terminal', () => {
    const text = write('json', true);
    expect(JSON.parse(text)).toMatchObject({ msg: 'goal submitted', goalId: 'g1', level: 30 });
  });

  it('writes JSON with auto when the destination is no terminal, and pretty lines when it is one', () => {
    expect(JSON.parse(write('auto', false))).toMatchObject({ msg: 'goal submitted' });
    expect(isJson(write('auto', true))).toBe(false);
    expect(write('auto', true)).toContain('goal submitted');
  });
});
