import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './args.ts';

const KNOWN = ['flat', 'chain', 'latency'];

describe('parseBenchArgs', () => {
  it('runs every workload on both SQLite modes with peers by default', () => {
    expect(parseBenchArgs([], KNOWN)).toEqual({
      quick: false,
      workloads: KNOWN,
      modes: ['FULL', 'NORMAL'],
      peers: true,
      profile: false,
    });
  });

  it('keeps the suite order for --only and reads the other flags', () => {
    const args = parseBenchArgs(
      ['--only', 'latency, flat', '--mode', 'pg', '--no-peers', '--quick', '--profile'],
      KNOWN,
    );
    expect(args).toEqual({
      quick: true,
      workloads: ['flat', 'latency'],
      modes: ['PG'],
      peers: false,
      profile: true,
    });
  });

  it('names what is wrong: an unknown workload, mode or option', () => {
    expect(() => parseBenchArgs(['--only', 'flat,nope'], KNOWN)).toThrow(
      'unknown workload(s) nope; known: flat, chain, latency',
    );
    expect(() => parseBenchArgs(['--mode', 'bogus'], KNOWN)).toThrow(/--mode takes .*got 'bogus'/);
    expect(() => parseBenchArgs(['--frobnicate'], KNOWN)).toThrow(/frobnicate/);
  });
});
