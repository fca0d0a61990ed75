import { describe, expect, it } from 'vitest';
import { parseModes } from './modes.ts';

describe('parseModes', () => {
  it('reads a comma list in the order given, each mode once', () => {
    expect(parseModes('full,pg,pg2')).toEqual(['FULL', 'PG', 'PG2']);
    expect(parseModes('both')).toEqual(['FULL', 'NORMAL']);
    expect(parseModes('pg2, full ,both')).toEqual(['PG2', 'FULL', 'NORMAL']);
    expect(parseModes('all')).toEqual(['FULL', 'NORMAL', 'PG', 'PG2']);
  });

  it('refuses an unknown name', () => {
    expect(() => parseModes('full,mysql')).toThrow(/got 'mysql'/);
    expect(() => parseModes('')).toThrow(/got ''/);
  });
});
