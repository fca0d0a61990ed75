import { describe, expect, it } from 'vitest';
import { substituteParameters, unknownPlaceholders } from './parameters.ts';

describe('substituteParameters', () => {
  const context = { customer: 'ACME', period: { quarter: 'Q4', year: 2024 }, tags: ['a'] };

  it('substitutes object context keys, dotted paths and non-string values as JSON', () => {
    const input = { who: '${context.customer}', q: '${context.period.quarter}', y: '${context.period.year}' };
    expect(substituteParameters(input, { goal: 'g', context })).toEqual({ who: 'ACME', q: 'Q4', y: '2024' });
  });

  it('substitutes a missing key, and any key of a string context, with an empty string', () => {
    expect(substituteParameters('[${context.nope}]', { goal: 'g', context })).toBe('[]');
    expect(substituteParameters('[${context.customer}]', { goal: 'g', context: 'Q4 2024' })).toBe('[]');
  });

  it('substitutes deep inside arrays and objects but leaves keys and non-strings alone', () => {
    const input = { '${goal}': [{ text: 'do ${goal} for ${context}' }, 3, true, null] };
    expect(substituteParameters(input, { goal: 'X', context: 'C' })).toEqual({
      '${goal}': [{ text: 'do X for C' }, 3, true, null],
    });
  });

  it('turns $${ into a literal ${', () => {
    expect(substituteParameters('$${goal} is ${goal}', { goal: 'X', context: '' })).toBe('${goal} is X');
  });

  it('does not reinterpret placeholders that appear in the substituted goal', () => {
    expect(substituteParameters('${goal}|${context}', { goal: '${context}', context: 'c' })).toBe(
      '${context}|c',
    );
  });
});

describe('unknownPlaceholders', () => {
  it('lists placeholders that are not parameters and accepts the known ones', () => {
    const input = { a: '${goal} ${context} ${context.a.b} $${HOME}', b: ['${goals}', '${context.}', '${}'] };
    expect(unknownPlaceholders(input)).toEqual(['${goals}', '${context.}', '${}']);
  });
});
