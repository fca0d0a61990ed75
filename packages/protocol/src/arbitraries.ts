import fc from 'fast-check';
import type { AnyEnvelope, MessageType, Payloads } from './envelope.ts';
import { MESSAGE_TYPES } from './envelope.ts';
import { ORCHESTRATOR_ADDRESS, agentAddress, formatKai } from './kai.ts';
import { PRIORITIES } from './priority.ts';

/** fast-check generators of valid KLP values, for this package's property tests. Not exported. */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

export const textArb = (maxLength = 40) => fc.string({ maxLength, unit: 'binary' });
export const nonEmptyTextArb = (maxLength = 40) => fc.string({ minLength: 1, maxLength, unit: 'binary' });
const idArb = fc.oneof(fc.uuid(), nonEmptyTextArb(60));
const intArb = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const epochArb = fc.nat({ max: 1_000_000 });
const skillsArb = fc.array(nonEmptyTextArb(30), { maxLength: 5 });
/** JSON values as JSON carries them: -0 arrives as 0. */
export const jsonArb = fc
  .jsonValue({ maxDepth: 4, stringUnit: 'binary' })
  .map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const progressArb = fc.double({ min: 0, max: 100, noNaN: true }).map((p) => (Object.is(p, -0) ? 0 : p));
const b64Arb = (length: number) =>
  fc.string({ minLength: length, maxLength: length, unit: fc.constantFrom(...B64) });

export const labelArb = fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom(...LABEL_CHARS) });
export const kaiArb = fc.oneof(
  fc.constant(ORCHESTRATOR_ADDRESS),
  nonEmptyTextArb(30).map(agentAddress),
  fc
    .record({
      authority: fc.array(labelArb, { minLength: 1, maxLength: 4 }),
      path: fc.array(nonEmptyTextArb(20), { maxLength: 4 }),
    })
    .map(formatKai),
);

const leaseArb = fc.record({ task_id: idArb, epoch: epochArb });

export const PAYLOAD_ARBS: { [T in MessageType]: fc.Arbitrary<Payloads[T]> } = {
  TASK_REQUEST: fc.record({
    task_id: idArb,
    goal_id: idArb,
    name: nonEmptyTextArb(),
    skills: skillsArb,
    input: jsonArb,
    epoch: epochArb,
    attempt: fc.nat({ max: 100 }),
    deadline: intArb,
    checkpoint: jsonArb,
  }),
  TASK_RESULT: fc.oneof(
    fc.record(
      {
        task_id: idArb,
        epoch: epochArb,
        status: fc.constantFrom('succeeded' as const, 'failed' as const),
        result: jsonArb,
        error: fc.record({ code: nonEmptyTextArb(30), message: textArb(), retryable: fc.boolean() }),
      },
      { requiredKeys: ['task_id', 'epoch', 'status'] },
    ),
    fc.record({
      task_id: idArb,
      epoch: epochArb,
      status: fc.constant('declined' as const),
      reason: nonEmptyTextArb(),
    }),
    fc.record(
      {
        task_id: idArb,
        epoch: epochArb,
        status: fc.constant('delegated' as const),
        reason: nonEmptyTextArb(),
        to: nonEmptyTextArb(),
      },
      { requiredKeys: ['task_id', 'epoch', 'status', 'reason'] },
    ),
  ),
  STATUS_UPDATE: fc.record(
    { task_id: idArb, epoch: epochArb, progress: progressArb, message: textArb(), checkpoint: jsonArb },
    { requiredKeys: ['task_id', 'epoch', 'progress'] },
  ),
  CAPABILITY_QUERY: fc.oneof(
    fc.record({ skills: skillsArb }, { requiredKeys: [] }),
    fc.record({
      agents: fc.array(
        fc.record({
          name: nonEmptyTextArb(),
          skills: skillsArb,
          state: labelArb,
          free_slots: fc.nat({ max: 64 }),
        }),
        { maxLength: 3 },
      ),
    }),
  ),
  SECURITY_ALERT: fc.record(
    { code: nonEmptyTextArb(30), reason: textArb(), ref: idArb },
    { requiredKeys: ['code', 'reason'] },
  ),
  ping: fc.constant({}),
  pong: fc.constant({}),
  pulse: fc.record(
    { task_id: idArb, epoch: epochArb, progress: progressArb, message: textArb() },
    { requiredKeys: ['task_id', 'epoch', 'progress'] },
  ),
  heartbeat: fc.record(
    {
      in_flight: fc.array(
        fc.record(
          { task_id: idArb, epoch: epochArb, progress: progressArb },
          { requiredKeys: ['task_id', 'epoch'] },
        ),
        { maxLength: 4 },
      ),
      last_progress_at: intArb,
    },
    { requiredKeys: ['in_flight'] },
  ),
  snapshot: fc.oneof(
    fc.constant({}),
    fc.record({
      agent_id: idArb,
      state: labelArb,
      leases: fc.array(fc.record({ task_id: idArb, epoch: epochArb, deadline: intArb }), { maxLength: 3 }),
    }),
  ),
  rollback: fc.record(
    { task_id: idArb, epoch: epochArb, reason: textArb(), ack_by: intArb },
    { requiredKeys: ['task_id', 'epoch', 'reason'] },
  ),
  disconnect: fc.record({ reason: textArb() }, { requiredKeys: [] }),
  handover: fc.record({ mode: fc.constantFrom('finish' as const, 'return' as const) }),
  challenge: fc.record({ nonce: b64Arb(43) }),
  hello: fc.record(
    {
      name: nonEmptyTextArb(),
      public_key: b64Arb(43),
      skills: skillsArb,
      max_parallel: fc.integer({ min: 1, max: 64 }),
      nonce: b64Arb(43),
      token: nonEmptyTextArb(),
      in_flight: fc.array(leaseArb, { maxLength: 4 }),
    },
    { requiredKeys: ['name', 'public_key', 'skills', 'max_parallel', 'nonce', 'in_flight'] },
  ),
  welcome: fc.record({
    agent_id: idArb,
    heartbeat_interval_ms: fc.integer({ min: 1, max: 60_000 }),
    lease_ttl_ms: fc.integer({ min: 1, max: 600_000 }),
    resumed: fc.array(idArb, { maxLength: 3 }),
    abandon: fc.array(idArb, { maxLength: 3 }),
  }),
  ack: fc.constant({ ok: true as const }),
  error: fc.record({ code: nonEmptyTextArb(30), message: textArb() }),
};

/** A schema-valid envelope of any type, without `auth`. */
export const envelopeArb: fc.Arbitrary<AnyEnvelope> = fc.constantFrom(...MESSAGE_TYPES).chain((type) =>
  fc
    .record(
      {
        id: idArb,
        from: kaiArb,
        to: kaiArb,
        ts: intArb,
        seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        task_id: idArb,
        intent: textArb(),
        priority: fc.constantFrom(...PRIORITIES),
        payload: PAYLOAD_ARBS[type] as fc.Arbitrary<unknown>,
        context: fc.record({ reply_to: idArb }, { requiredKeys: [] }),
      },
      { requiredKeys: ['id', 'from', 'to', 'ts', 'seq', 'payload'] },
    )
    .map((fields) => ({ v: 1 as const, type, ...fields }) as AnyEnvelope),
);
