import fc from 'fast-check';
import { Check } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { envelopeArb, jsonArb } from './arbitraries.ts';
import { canonicalJson } from './canonical.ts';
import type { Decoded } from './codec.ts';
import { MAX_JSON_DEPTH, decodeFrame, encodeFrame } from './codec.ts';
import { envelope } from './envelope.ts';
import { ORCHESTRATOR_ADDRESS, agentAddress, parseKai } from './kai.ts';
import { ENVELOPE_SCHEMA, PAYLOAD_SCHEMAS } from './schemas.ts';

const MAX = 64 * 1024;

/** What ok:true promises, checked independently of the compiled validators decodeFrame uses. */
function expectAcceptedIsValid(d: Decoded): void {
  if (!d.ok) {
    expect(['KOS_ERR_BAD_FRAME', 'KOS_ERR_FRAME_TOO_LARGE']).toContain(d.code);
    expect(typeof d.message).toBe('string');
    return;
  }
  const env = d.envelope;
  expect(Check(ENVELOPE_SCHEMA, env)).toBe(true);
  expect(Check(PAYLOAD_SCHEMAS[env.type], env.payload)).toBe(true);
  expect(() => parseKai(env.from)).not.toThrow();
  expect(() => parseKai(env.to)).not.toThrow();
  expect(() => canonicalJson(env)).not.toThrow();
}

const valid = () =>
  envelope('TASK_RESULT', {
    id: 'frame-1',
    from: agentAddress('collector'),
    to: ORCHESTRATOR_ADDRESS,
    seq: 3,
    now: 1_795_309_504_210,
    payload: { task_id: 't1', epoch: 2, status: 'succeeded', result: { rows: 3 } },
  });

function refused(data: string | Uint8Array, id?: string): Decoded & { ok: false } {
  const d = decodeFrame(data, MAX);
  if (d.ok) throw new Error(`expected a refusal of ${String(data).slice(0, 100)}`);
  expect(d.code).toBe('KOS_ERR_BAD_FRAME');
  expect(d.id).toBe(id);
  return d;
}

describe('decodeFrame', () => {
  it('decodes what encodeFrame wrote, for every message type, from text or bytes', () => {
    fc.assert(
      fc.property(envelopeArb, fc.nat({ max: 5 }), (env, cut) => {
        const text = encodeFrame(env);
        const bytes = Buffer.from(text, 'utf8');
        const at = Math.min(cut * 7, bytes.length);
        const inputs = [
          text,
          bytes,
          new Uint8Array(bytes).buffer,
          [bytes.subarray(0, at), bytes.subarray(at)],
        ];
        for (const input of inputs) {
          const d = decodeFrame(input, MAX);
          expect(d).toEqual({ ok: true, envelope: JSON.parse(text) });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on random text, JSON, bytes or mutated frames, and accepts only valid envelopes', () => {
    const keys = [
      'v',
      'type',
      'id',
      'from',
      'to',
      'ts',
      'seq',
      'task_id',
      'intent',
      'priority',
      'payload',
      'context',
      'auth',
    ];
    const mutatedObject = fc
      .tuple(envelopeArb, fc.constantFrom(...keys, '__proto__', 'extra'), jsonArb, fc.nat({ max: 3 }))
      .map(([env, key, value, how]) => {
        const o = JSON.parse(encodeFrame(env)) as Record<string, unknown>;
        const payload = o.payload as Record<string, unknown>;
        if (how === 0) delete o[key];
        else if (how === 1) Object.defineProperty(o, key, { value, enumerable: true });
        else if (how === 2) payload[Object.keys(payload)[0] ?? key] = value;
        else payload[key] = value;
        return JSON.stringify(o);
      });
    const mutatedText = fc
      .tuple(envelopeArb, fc.nat(), fc.string({ maxLength: 3, unit: 'binary' }), fc.nat({ max: 3 }))
      .map(([env, at, insert, drop]) => {
        const text = encodeFrame(env);
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + drop);
      });
    const input = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', 'e', '\\', 'u', 'd', '8') }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 300 }),
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }),
      mutatedObject,
      mutatedText,
      envelopeArb.map((env) => encodeFrame(env)),
    );
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(input, (data) => {
        const d = decodeFrame(data, MAX);
        seen[d.ok ? 'accepted' : 'refused']++;
        expectAcceptedIsValid(d);
      }),
      { numRuns: 2500 },
    );
    // Both outcomes were exercised, so the property above says something about each.
    expect(seen.accepted).toBeGreaterThan(200);
    expect(seen.refused).toBeGreaterThan(1000);
  });

  it('refuses a frame over the limit before parsing it, whatever its form', () => {
    const text = encodeFrame(valid());
    const bytes = Buffer.from(text);
    const limit = bytes.length - 1;
    for (const data of [text, bytes, [bytes.subarray(0, 10), bytes.subarray(10)], 'é'.repeat(limit)]) {
      expect(decodeFrame(data, limit)).toMatchObject({ ok: false, code: 'KOS_ERR_FRAME_TOO_LARGE' });
    }
    expect(decodeFrame(text, bytes.length).ok).toBe(true);
    expect(decodeFrame('x'.repeat(20_000_000), MAX)).toMatchObject({
      ok: false,
      code: 'KOS_ERR_FRAME_TOO_LARGE',
    });
  });

  it('refuses bytes that are not UTF-8 and text that is not a JSON object', () => {
    refused(Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
    refused(Buffer.from([0xff, 0xfe, 0xfd]));
    for (const text of ['', 'null', '[]', '"x"', '{', '{"v":1,}', '1e400']) refused(text);
  });

  it('refuses JSON nested deeper than the limit without exhausting the stack', () => {
    const deep = '['.repeat(500_000) + ']'.repeat(500_000);
    expect(decodeFrame(deep, 2_000_000)).toMatchObject({ ok: false, code: 'KOS_ERR_BAD_FRAME' });
    const env = valid();
    // The envelope is level 1 and its payload level 2, so `result` may hold MAX_JSON_DEPTH - 2 arrays.
    let nested: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH - 1; i++) nested = [nested];
    const payload = env.payload as { result?: unknown };
    payload.result = nested;
    expect(refused(encodeFrame(env), 'frame-1').message).toMatch(/nested deeper/);
    payload.result = (nested as unknown[])[0];
    expect(decodeFrame(encodeFrame(env), MAX).ok).toBe(true);
  });

  it('refuses __proto__ keys, numbers beyond double range and lone surrogates anywhere, naming the frame', () => {
    const text = encodeFrame(valid());
    const withResult = (raw: string) => text.replace('{"rows":3}', raw);
    expect(refused(withResult('{"__proto__":{"admin":true}}'), 'frame-1').message).toMatch(/__proto__/);
    expect(refused(withResult('{"\\u005f_proto__":1}'), 'frame-1').message).toMatch(/__proto__/);
    expect(refused(withResult('1e400'), 'frame-1').message).toMatch(/too large/);
    expect(refused(withResult('"\\ud800"'), 'frame-1').message).toMatch(/surrogate/);
    expect(refused(withResult('{"\\udc00":1}'), 'frame-1').message).toMatch(/surrogate/);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('refuses a wrong version, an unknown field, a bad address or a payload of another type', () => {
    const base = JSON.parse(encodeFrame(valid())) as Record<string, unknown>;
    const frame = (patch: Record<string, unknown>) => JSON.stringify({ ...base, ...patch });
    expect(refused(frame({ v: 2 }), 'frame-1').message).toMatch(/version must be 1/);
    expect(refused(frame({ extra: 1 }), 'frame-1').message).toMatch(/unknown fields extra/);
    expect(refused(frame({ seq: 0 }), 'frame-1').message).toMatch(/seq/);
    expect(refused(frame({ ts: 1.5 }), 'frame-1').message).toMatch(/ts/);
    expect(refused(frame({ from: 'agent.collector' }), 'frame-1').message).toMatch(/from/);
    expect(refused(frame({ to: 'kai://agent/%41' }), 'frame-1').message).toMatch(/to: .*canonical/);
    expect(refused(frame({ type: 'ping' }), 'frame-1').message).toMatch(/ping payload/);
    expect(
      refused(frame({ payload: { task_id: 't1', epoch: 2, status: 'done' } }), 'frame-1').message,
    ).toMatch(/TASK_RESULT payload/);
    expect(refused(frame({ id: 'x'.repeat(201) })).message).toMatch(/id/);
    expect(refused(frame({ auth: { kid: 'ed25519:short' } }), 'frame-1').message).toMatch(/auth/);
  });

  it('accepts hand-offs with a reason and a cancel’s rollback with ack_by, and refuses malformed ones', () => {
    const base = JSON.parse(encodeFrame(valid())) as Record<string, unknown>;
    const frame = (patch: Record<string, unknown>) => JSON.stringify({ ...base, ...patch });
    const ref = { task_id: 't1', epoch: 2 };
    const accepted = (patch: Record<string, unknown>) => {
      const d = decodeFrame(frame(patch), MAX);
      expect(d.ok, JSON.stringify(patch)).toBe(true);
      return d;
    };
    accepted({ payload: { ...ref, status: 'declined', reason: 'no GPU' } });
    accepted({ payload: { ...ref, status: 'delegated', reason: 'EU only', to: 'analyst-eu' } });
    accepted({ payload: { ...ref, status: 'delegated', reason: 'busy' } });
    accepted({ type: 'rollback', payload: { ...ref, reason: 'cancelled', ack_by: 1_795_309_509_210 } });
    for (const payload of [
      { ...ref, status: 'declined' }, // a hand-off needs a reason
      { ...ref, status: 'declined', reason: '' },
      { ...ref, status: 'declined', reason: 'x', to: 'b' }, // only a delegation names an agent
      { ...ref, status: 'delegated', reason: 'x', to: '' },
      { ...ref, status: 'succeeded', reason: 'x' },
    ]) {
      expect(refused(frame({ payload }), 'frame-1').message).toMatch(/TASK_RESULT payload/);
    }
    expect(
      refused(frame({ type: 'rollback', payload: { ...ref, reason: 'x', ack_by: -1 } }), 'frame-1').message,
    ).toMatch(/rollback payload/);
  });
});
