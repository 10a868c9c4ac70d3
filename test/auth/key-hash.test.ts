import { hashApiKey, hashApiKeyWithScrypt, parseKeyHash, verifyApiKey } from '../../src/auth/key-hash';
import { OPERATOR_KEY, OPERATOR_KEY_HASH } from './fixtures';

function parsed(text: string) {
  const result = parseKeyHash(text);
  if (!result.ok) throw new Error(result.problem);
  return result.keyHash;
}

describe('sha256 key hashes', () => {
  it('hashes to the FIPS 180-2 digest of "abc"', () => {
    expect(hashApiKey('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches the digest computed by sha256sum', () => {
    expect(hashApiKey(OPERATOR_KEY)).toBe(OPERATOR_KEY_HASH);
  });

  it('verifies the right key and refuses others, including a one-character change', () => {
    const keyHash = parsed(OPERATOR_KEY_HASH);
    expect(verifyApiKey(OPERATOR_KEY, keyHash)).toBe(true);
    expect(verifyApiKey(`${OPERATOR_KEY.slice(0, -1)}5`, keyHash)).toBe(false);
    expect(verifyApiKey('', keyHash)).toBe(false);
  });
});

describe('scrypt key hashes', () => {
  it('verifies the RFC 7914 test vector (pleaseletmein / SodiumChloride, N=16384, r=8, p=1)', () => {
    const digest = Buffer.from(
      '7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2' +
        'd5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887',
      'hex',
    );
    const keyHash = {
      algorithm: 'scrypt',
      cost: 16_384,
      blockSize: 8,
      parallelization: 1,
      salt: Buffer.from('SodiumChloride'),
      digest,
    } as const;
    expect(verifyApiKey('pleaseletmein', keyHash)).toBe(true);
    expect(verifyApiKey('pleaseletmeout', keyHash)).toBe(false);
  });

  it('round-trips through the stored text form', () => {
    const text = hashApiKeyWithScrypt('correct horse battery staple', {
      cost: 1024,
      salt: Buffer.alloc(16, 7),
    });
    expect(text).toMatch(/^scrypt:1024:8:1:(07){16}:[0-9a-f]{64}$/);
    expect(verifyApiKey('correct horse battery staple', parsed(text))).toBe(true);
    expect(verifyApiKey('correct horse battery stapler', parsed(text))).toBe(false);
  });
});

describe('parseKeyHash', () => {
  it.each([
    ['a plaintext key', 'my-secret-key', 'plaintext keys are not accepted'],
    ['upper-case hex', `sha256:${'A'.repeat(64)}`, "'sha256:<64 lowercase hex digits>'"],
    ['a short digest', `sha256:${'a'.repeat(63)}`, "'sha256:<64 lowercase hex digits>'"],
    ['scrypt N not a power of two', `scrypt:1000:8:1:${'00'.repeat(16)}:${'00'.repeat(32)}`, 'power of 2'],
    ['scrypt N too large', `scrypt:${2 ** 21}:8:1:${'00'.repeat(16)}:${'00'.repeat(32)}`, 'power of 2'],
    [
      'a short scrypt salt',
      `scrypt:1024:8:1:${'00'.repeat(8)}:${'00'.repeat(32)}`,
      'salt must be at least 16 bytes',
    ],
  ])('refuses %s', (_case, text, problem) => {
    const result = parseKeyHash(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain(problem);
  });
});
