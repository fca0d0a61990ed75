import { describe, expect, it } from 'vitest';
import { allowlistEntryFor, checkedAddresses, isPrivateAddress, type Lookup } from './push-target.ts';

const resolvesTo =
  (...addresses: string[]): Lookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: { code?: string }) => e.code,
  );

describe('push URL allowlist', () => {
  const list = ['https://hooks.example.com/a2a/', 'http://127.0.0.1:9000', 'https://other.example.com/x'];

  it('admits URLs under an entry: same origin, path prefix at a segment boundary', () => {
    expect(allowlistEntryFor('https://hooks.example.com/a2a/t1', list).href).toBe(
      'https://hooks.example.com/a2a/',
    );
    expect(allowlistEntryFor('http://127.0.0.1:9000/anything', list).origin).toBe('http://127.0.0.1:9000');
    expect(allowlistEntryFor('https://other.example.com/x/y', list).pathname).toBe('/x');
  });

  it.each([
    ['another path', 'https://hooks.example.com/admin'],
    ['a sibling path that shares the prefix text', 'https://other.example.com/xyz'],
    ['another port', 'http://127.0.0.1:9001/'],
    ['another scheme', 'http://hooks.example.com/a2a/t1'],
    ['credentials in the URL', 'https://u:p@hooks.example.com/a2a/t1'],
    ['not http', 'file:///etc/passwd'],
    ['not a URL', 'hooks'],
  ])('refuses %s', (_why, url) => {
    expect(() => allowlistEntryFor(url, list)).toThrow(
      expect.objectContaining({ code: 'KOS_ERR_A2A_PUSH_URL_REFUSED' }),
    );
  });

  it('is off when the list is empty', () => {
    expect(() => allowlistEntryFor('https://hooks.example.com/', [])).toThrow(
      expect.objectContaining({ code: 'KOS_ERR_A2A_PUSH_DISABLED' }),
    );
  });
});

describe('push target addresses', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not-an-ip',
  ])('treats %s as private', (a) => expect(isPrivateAddress(a)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])('treats %s as public', (a) =>
    expect(isPrivateAddress(a)).toBe(false),
  );

  it('accepts a name that resolves only to public addresses, and pins them', async () => {
    const r = await checkedAddresses(
      'https://hooks.example.com/a2a/t',
      ['https://hooks.example.com/'],
      resolvesTo('93.184.216.34'),
    );
    expect(r.addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('refuses a name that resolves to a private address, even once among public ones', async () => {
    const list = ['https://hooks.example.com/'];
    expect(await code(checkedAddresses('https://hooks.example.com/', list, resolvesTo('10.0.0.5')))).toBe(
      'KOS_ERR_A2A_PUSH_URL_REFUSED',
    );
    expect(
      await code(
        checkedAddresses('https://hooks.example.com/', list, resolvesTo('8.8.8.8', '169.254.169.254')),
      ),
    ).toBe('KOS_ERR_A2A_PUSH_URL_REFUSED');
    expect(
      await code(
        checkedAddresses('https://hooks.example.com/', list, async () =>
          Promise.reject(new Error('NXDOMAIN')),
        ),
      ),
    ).toBe('KOS_ERR_A2A_PUSH_URL_REFUSED');
  });

  it('allows a private address only when the entry names it: the literal, or localhost for loopback', async () => {
    const never: Lookup = async () => Promise.reject(new Error('a literal is not looked up'));
    expect(await code(checkedAddresses('http://127.0.0.1:9000/h', ['http://127.0.0.1:9000'], never))).toBe(
      'accepted',
    );
    expect(await code(checkedAddresses('http://[::1]:9000/h', ['http://[::1]:9000'], never))).toBe(
      'accepted',
    );
    expect(
      await code(
        checkedAddresses(
          'http://localhost:9000/h',
          ['http://localhost:9000'],
          resolvesTo('127.0.0.1', '::1'),
        ),
      ),
    ).toBe('accepted');
    // A name the entry spells out, but that resolves to loopback: not named, so refused.
    expect(
      await code(
        checkedAddresses(
          'http://hooks.internal:9000/h',
          ['http://hooks.internal:9000'],
          resolvesTo('127.0.0.1'),
        ),
      ),
    ).toBe('KOS_ERR_A2A_PUSH_URL_REFUSED');
    expect(
      await code(
        checkedAddresses('http://localhost:9000/h', ['http://localhost:9000'], resolvesTo('10.0.0.1')),
      ),
    ).toBe('KOS_ERR_A2A_PUSH_URL_REFUSED');
  });
});
