import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_KEYS, ENV_KEYS } from './keys.ts';

const doc = readFileSync(
  fileURLToPath(new URL('../../../../docs/configuration.md', import.meta.url)),
  'utf8',
);
const keyTable = doc.slice(doc.indexOf('## Keys'), doc.indexOf('### Checks between keys'));
const documentedKeys = [...keyTable.matchAll(/^\| `([a-z0-9_.]+)` \|/gm)].map((m) => m[1]);

describe('docs/configuration.md', () => {
  it('has one table row per configuration key, in the order of the key table', () => {
    expect(documentedKeys).toEqual(ALL_KEYS.map((k) => k.key));
  });

  it('names every environment override', () => {
    for (const name of [...Object.keys(ENV_KEYS), 'KOS_CONFIG']) expect(doc).toContain(`\`${name}\``);
  });
});
