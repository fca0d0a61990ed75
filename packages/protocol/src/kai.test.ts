import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { labelArb, nonEmptyTextArb } from './arbitraries.ts';
import { isKosError } from './errors.ts';
import { ORCHESTRATOR_ADDRESS, agentAddress, agentNameOf, formatKai, parseKai } from './kai.ts';

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isKosError(e) ? e.code : 'not a KosError';
  }
  return undefined;
}

const addressArb = fc.record({
  authority: fc.array(labelArb, { minLength: 1, maxLength: 4 }),
  path: fc.array(nonEmptyTextArb(20), { maxLength: 4 }),
});

describe('kai:// addresses', () => {
  it('parse back to the address they were formatted from', () => {
    fc.assert(
      fc.property(addressArb, (a) => {
        expect(parseKai(formatKai(a))).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });

  it('have one spelling: formatting a parsed address gives the same string', () => {
    fc.assert(
      fc.property(addressArb, (a) => {
        const s = formatKai(a);
        expect(formatKai(parseKai(s))).toBe(s);
      }),
      { numRuns: 300 },
    );
  });

  it('name agents by label when the name is one, else by a percent-encoded path', () => {
    expect(agentAddress('collector')).toBe('kai://agent.collector');
    expect(agentAddress('My Agent')).toBe('kai://agent/My%20Agent');
    expect(agentAddress("it's(*)!")).toBe('kai://agent/it%27s%28%2A%29%21');
    expect(parseKai('kai://agent/My%20Agent')).toEqual({ authority: ['agent'], path: ['My Agent'] });
    expect(parseKai(ORCHESTRATOR_ADDRESS)).toEqual({ authority: ['orchestrator'], path: [] });
  });

  it('give back the agent name of any agent address, and null for other addresses', () => {
    fc.assert(
      fc.property(nonEmptyTextArb(30), (name) => {
        expect(agentNameOf(agentAddress(name))).toBe(name);
      }),
      { numRuns: 300 },
    );
    expect(agentNameOf(ORCHESTRATOR_ADDRESS)).toBeNull();
    expect(agentNameOf('kai://agent/collector')).toBeNull(); // collector's one spelling is kai://agent.collector
    expect(agentNameOf('kai://agent.a.b')).toBeNull();
    expect(agentNameOf('not an address')).toBeNull();
  });

  it('refuses strings outside the grammar or not canonically encoded with KOS_ERR_BAD_ADDRESS', () => {
    for (const s of [
      '',
      'kai://',
      'http://agent.x',
      'kai://agent..x',
      'kai://agent.x/',
      'kai://agent.x//y',
      'kai://agent x',
      'kai://agent.' + 'a'.repeat(64),
      'kai://agent/%41', // an unreserved character needs no encoding
      'kai://agent/%2f', // lower-case hex
      'kai://agent/%FF', // not UTF-8
      'kai://agent/%E2%82', // a truncated UTF-8 sequence
      'kai://agent/' + 'a'.repeat(5000),
    ]) {
      expect(
        codeOf(() => parseKai(s)),
        s,
      ).toBe('KOS_ERR_BAD_ADDRESS');
    }
    expect(codeOf(() => parseKai(42 as unknown as string))).toBe('KOS_ERR_BAD_ADDRESS');
  });

  it('refuses to format or name what has no address', () => {
    expect(codeOf(() => formatKai({ authority: [], path: [] }))).toBe('KOS_ERR_BAD_ADDRESS');
    expect(codeOf(() => formatKai({ authority: ['a.b'], path: [] }))).toBe('KOS_ERR_BAD_ADDRESS');
    expect(codeOf(() => formatKai({ authority: ['a'], path: [''] }))).toBe('KOS_ERR_BAD_ADDRESS');
    expect(codeOf(() => agentAddress(''))).toBe('KOS_ERR_BAD_ADDRESS');
    expect(codeOf(() => agentAddress('\ud800'))).toBe('KOS_ERR_BAD_ADDRESS');
  });
});
