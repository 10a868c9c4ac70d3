/**
 * Stored forms of API keys and their verification. Plaintext keys are never stored.
 *
 * `sha256:<64 hex>` is the recommended form. Keys made by `npm run auth:hash-key -- --generate`
 * carry 256 bits of randomness, so a preimage search is hopeless however fast the hash is; a
 * slow KDF (bcrypt, scrypt) protects low-entropy secrets such as passwords, and for a random key it
 * would only add its cost to every request. `scrypt:<N>:<r>:<p>:<salt hex>:<hash hex>` is accepted
 * for operators who must use a human-chosen key; each scrypt entry costs one scrypt run per
 * request (tens of milliseconds at N=16384), so keep such entries few.
 *
 * Comparisons use crypto.timingSafeEqual so response time does not leak how much of a digest matched.
 */
import { createHash, hash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export type KeyHash =
  /** SHA-256 digest of the UTF-8 key. */
  | { readonly algorithm: 'sha256'; readonly digest: Buffer }
  /** scrypt(key, salt, N, r, p) with the digest length of `digest`. */
  | {
      readonly algorithm: 'scrypt';
      readonly cost: number;
      readonly blockSize: number;
      readonly parallelization: number;
      readonly salt: Buffer;
      readonly digest: Buffer;
    };

export type KeyHashParseResult =
  { readonly ok: true; readonly keyHash: KeyHash } | { readonly ok: false; readonly problem: string };

const SHA256_PATTERN = /^sha256:([0-9a-f]{64})$/;
const SCRYPT_PATTERN = /^scrypt:(\d+):(\d+):(\d+):([0-9a-f]+):([0-9a-f]+)$/;
const SCRYPT_DEFAULTS = { cost: 16_384, blockSize: 8, parallelization: 1, saltBytes: 16, digestBytes: 32 };
/** Bounds keep a configuration typo from making every request allocate gigabytes. */
const SCRYPT_MAX_COST = 2 ** 20;
const SCRYPT_MAX_BLOCK_SIZE = 32;
const SCRYPT_MAX_PARALLELIZATION = 16;

export const KEY_HASH_FORMS =
  "'sha256:<64 lowercase hex digits>' or 'scrypt:<N>:<r>:<p>:<salt hex>:<hash hex>'";

export function parseKeyHash(text: string): KeyHashParseResult {
  const sha256 = SHA256_PATTERN.exec(text);
  if (sha256) return { ok: true, keyHash: { algorithm: 'sha256', digest: Buffer.from(sha256[1]!, 'hex') } };

  const scrypt = SCRYPT_PATTERN.exec(text);
  if (scrypt) {
    const [cost, blockSize, parallelization] = [Number(scrypt[1]), Number(scrypt[2]), Number(scrypt[3])];
    const [saltHex, digestHex] = [scrypt[4]!, scrypt[5]!];
    const isPowerOfTwo = Number.isInteger(Math.log2(cost));
    if (!isPowerOfTwo || cost < 2 || cost > SCRYPT_MAX_COST)
      return { ok: false, problem: `scrypt N must be a power of 2 in [2, ${SCRYPT_MAX_COST}]` };
    if (blockSize < 1 || blockSize > SCRYPT_MAX_BLOCK_SIZE)
      return { ok: false, problem: `scrypt r must be in [1, ${SCRYPT_MAX_BLOCK_SIZE}]` };
    if (parallelization < 1 || parallelization > SCRYPT_MAX_PARALLELIZATION)
      return { ok: false, problem: `scrypt p must be in [1, ${SCRYPT_MAX_PARALLELIZATION}]` };
    if (saltHex.length % 2 !== 0 || saltHex.length < 32)
      return { ok: false, problem: 'scrypt salt must be at least 16 bytes of hex' };
    if (digestHex.length % 2 !== 0 || digestHex.length < 32 || digestHex.length > 128)
      return { ok: false, problem: 'scrypt hash must be 16 to 64 bytes of hex' };
    return {
      ok: true,
      keyHash: {
        algorithm: 'scrypt',
        cost,
        blockSize,
        parallelization,
        salt: Buffer.from(saltHex, 'hex'),
        digest: Buffer.from(digestHex, 'hex'),
      },
    };
  }

  const looksLikePlaintext = !/^(sha256|scrypt):/.test(text);
  return {
    ok: false,
    problem: looksLikePlaintext
      ? `must be ${KEY_HASH_FORMS}; plaintext keys are not accepted (make the hash with 'npm run auth:hash-key -- <key>')`
      : `must be ${KEY_HASH_FORMS}`,
  };
}

/**
 * Paid on every request: one-shot `crypto.hash` takes about half the time of createHash for a
 * key-sized input (3 vs 5 us here); it exists from Node 20.12, and package.json allows any Node 20.
 */
export function sha256Digest(key: string): Buffer {
  return typeof hash === 'function'
    ? hash('sha256', key, 'buffer')
    : createHash('sha256').update(key, 'utf8').digest();
}

/** The stored form of a high-entropy key: `sha256:<hex>`. */
export function hashApiKey(key: string): string {
  return `sha256:${sha256Digest(key).toString('hex')}`;
}

/** The stored form for a human-chosen key; `salt` is for reproducible tests, random otherwise. */
export function hashApiKeyWithScrypt(key: string, options: { cost?: number; salt?: Buffer } = {}): string {
  const cost = options.cost ?? SCRYPT_DEFAULTS.cost;
  const { blockSize, parallelization } = SCRYPT_DEFAULTS;
  const salt = options.salt ?? randomBytes(SCRYPT_DEFAULTS.saltBytes);
  const digest = runScrypt(key, salt, cost, blockSize, parallelization, SCRYPT_DEFAULTS.digestBytes);
  return `scrypt:${cost}:${blockSize}:${parallelization}:${salt.toString('hex')}:${digest.toString('hex')}`;
}

/** A new random key: 32 bytes (256 bits) from the system CSPRNG, base64url (43 characters). */
export function generateApiKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Whether `key` matches `keyHash`. `keySha256` is the key's SHA-256 digest, computed once per
 * request by the caller and shared across entries.
 */
export function verifyApiKey(key: string, keyHash: KeyHash, keySha256: Buffer = sha256Digest(key)): boolean {
  if (keyHash.algorithm === 'sha256') return timingSafeEqual(keySha256, keyHash.digest);
  const candidate = runScrypt(
    key,
    keyHash.salt,
    keyHash.cost,
    keyHash.blockSize,
    keyHash.parallelization,
    keyHash.digest.length,
  );
  return timingSafeEqual(candidate, keyHash.digest);
}

function runScrypt(
  key: string,
  salt: Buffer,
  cost: number,
  blockSize: number,
  parallelization: number,
  digestBytes: number,
): Buffer {
  // Node refuses scrypt above maxmem (32 MiB by default); allow what these parameters need.
  const memoryBytes = 128 * cost * blockSize * (parallelization + 2);
  return scryptSync(key, salt, digestBytes, {
    N: cost,
    r: blockSize,
    p: parallelization,
    maxmem: Math.max(32 * 1024 * 1024, memoryBytes),
  });
}
