import type { Static } from 'typebox';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { MessageType, Payloads } from './envelope.ts';
import { MESSAGE_TYPES } from './envelope.ts';
import { ENVELOPE_SCHEMA, PAYLOAD_SCHEMAS } from './schemas.ts';

type SchemaOf<T extends MessageType> = Static<(typeof PAYLOAD_SCHEMAS)[T]>;

/** Objects whose properties are all closed, walking nested object schemas. */
function openObjects(schema: unknown, path = '#'): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const here = s.type === 'object' && s.additionalProperties !== false ? [path] : [];
  return [
    ...here,
    ...Object.entries(s).flatMap(([k, v]) =>
      Array.isArray(v)
        ? v.flatMap((x, i) => openObjects(x, `${path}/${k}/${i}`))
        : openObjects(v, `${path}/${k}`),
    ),
  ];
}

describe('the KLP schemas', () => {
  it('cover every message type', () => {
    expect(Object.keys(PAYLOAD_SCHEMAS).sort()).toEqual([...MESSAGE_TYPES].sort());
  });

  it('are plain JSON Schema that can be published as JSON', () => {
    expect(JSON.parse(JSON.stringify(ENVELOPE_SCHEMA))).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['v', 'type', 'id', 'from', 'to', 'ts', 'seq', 'payload'],
    });
    for (const schema of Object.values(PAYLOAD_SCHEMAS))
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('close every object except the envelope context, the payload placeholder and upstream results', () => {
    expect(openObjects(ENVELOPE_SCHEMA)).toEqual(['#/properties/payload', '#/properties/context']);
    for (const [type, schema] of Object.entries(PAYLOAD_SCHEMAS)) {
      // `upstream` maps task names (free text) to results: a record by design.
      const open = type === 'TASK_REQUEST' ? ['#/properties/upstream'] : [];
      expect(openObjects(schema), type).toEqual(open);
    }
  });

  it('describe the same shapes as the Payloads types', () => {
    // Each direction of assignability; a field added on one side only fails to compile.
    expectTypeOf<SchemaOf<'pulse'>>().not.toBeAny();
    expectTypeOf<SchemaOf<'pulse'>>().toEqualTypeOf<{
      task_id: string;
      epoch: number;
      progress: number;
      message?: string;
    }>();
    // TASK_REQUEST's input and checkpoint are required in TypeScript but may be absent on the wire.
    expectTypeOf<Payloads['TASK_REQUEST']>().toExtend<SchemaOf<'TASK_REQUEST'>>();
    expectTypeOf<Omit<SchemaOf<'TASK_REQUEST'>, 'input' | 'checkpoint'>>().toExtend<
      Omit<Payloads['TASK_REQUEST'], 'input' | 'checkpoint'>
    >();
    expectTypeOf<Payloads['TASK_RESULT']>().toExtend<SchemaOf<'TASK_RESULT'>>();
    expectTypeOf<SchemaOf<'TASK_RESULT'>>().toExtend<Payloads['TASK_RESULT']>();
    expectTypeOf<Payloads['STATUS_UPDATE']>().toExtend<SchemaOf<'STATUS_UPDATE'>>();
    expectTypeOf<SchemaOf<'STATUS_UPDATE'>>().toExtend<Payloads['STATUS_UPDATE']>();
    expectTypeOf<Payloads['CAPABILITY_QUERY']>().toExtend<SchemaOf<'CAPABILITY_QUERY'>>();
    expectTypeOf<SchemaOf<'CAPABILITY_QUERY'>>().toExtend<Payloads['CAPABILITY_QUERY']>();
    expectTypeOf<Payloads['SECURITY_ALERT']>().toExtend<SchemaOf<'SECURITY_ALERT'>>();
    expectTypeOf<SchemaOf<'SECURITY_ALERT'>>().toExtend<Payloads['SECURITY_ALERT']>();
    expectTypeOf<Payloads['pulse']>().toExtend<SchemaOf<'pulse'>>();
    expectTypeOf<SchemaOf<'pulse'>>().toExtend<Payloads['pulse']>();
    expectTypeOf<Payloads['heartbeat']>().toExtend<SchemaOf<'heartbeat'>>();
    expectTypeOf<SchemaOf<'heartbeat'>>().toExtend<Payloads['heartbeat']>();
    expectTypeOf<Payloads['snapshot']>().toExtend<SchemaOf<'snapshot'>>();
    expectTypeOf<Payloads['ping']>().toExtend<SchemaOf<'ping'>>();
    expectTypeOf<Payloads['rollback']>().toExtend<SchemaOf<'rollback'>>();
    expectTypeOf<SchemaOf<'rollback'>>().toExtend<Payloads['rollback']>();
    expectTypeOf<Payloads['disconnect']>().toExtend<SchemaOf<'disconnect'>>();
    expectTypeOf<SchemaOf<'disconnect'>>().toExtend<Payloads['disconnect']>();
    expectTypeOf<Payloads['handover']>().toExtend<SchemaOf<'handover'>>();
    expectTypeOf<SchemaOf<'handover'>>().toExtend<Payloads['handover']>();
    expectTypeOf<Payloads['challenge']>().toExtend<SchemaOf<'challenge'>>();
    expectTypeOf<SchemaOf<'challenge'>>().toExtend<Payloads['challenge']>();
    expectTypeOf<Payloads['hello']>().toExtend<SchemaOf<'hello'>>();
    expectTypeOf<SchemaOf<'hello'>>().toExtend<Payloads['hello']>();
    expectTypeOf<Payloads['welcome']>().toExtend<SchemaOf<'welcome'>>();
    expectTypeOf<SchemaOf<'welcome'>>().toExtend<Payloads['welcome']>();
    expectTypeOf<Payloads['ack']>().toExtend<SchemaOf<'ack'>>();
    expectTypeOf<SchemaOf<'ack'>>().toExtend<Payloads['ack']>();
    expectTypeOf<Payloads['error']>().toExtend<SchemaOf<'error'>>();
    expectTypeOf<SchemaOf<'error'>>().toExtend<Payloads['error']>();
  });
});
