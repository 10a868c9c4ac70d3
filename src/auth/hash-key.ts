/**
 * `npm run auth:hash-key -- <key>` prints the stored form of an API key (`sha256:<hex>`) for
 * API_KEYS_FILE or API_KEYS. `--generate` makes a new random 256-bit key and prints it with its
 * hash; `--scrypt` hashes a human-chosen key with scrypt instead (slower per request; see key-hash.ts).
 * The hash goes to stdout alone so scripts can capture it; guidance goes to stderr.
 */
import { generateApiKey, hashApiKey, hashApiKeyWithScrypt } from './key-hash';

export interface HashKeyResult {
  readonly exitCode: number;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
}

const USAGE = 'Usage: npm run auth:hash-key -- <key> | --generate  [--scrypt]';
/** Below 32 characters a key is unlikely to be random enough for a fast hash. */
const SHORT_KEY_CHARACTERS = 32;

export function runHashKey(args: readonly string[]): HashKeyResult {
  const useScrypt = args.includes('--scrypt');
  const generate = args.includes('--generate');
  const unknownFlags = args.filter(
    (arg) => arg.startsWith('--') && arg !== '--scrypt' && arg !== '--generate',
  );
  const positional = args.filter((arg) => !arg.startsWith('--'));

  if (unknownFlags.length > 0 || positional.length > 1 || generate === (positional.length === 1)) {
    return { exitCode: 2, stdout: [], stderr: [USAGE] };
  }
  const key = generate ? generateApiKey() : positional[0]!;
  if (!/^[\x21-\x7e]{1,512}$/.test(key)) {
    return {
      exitCode: 2,
      stdout: [],
      stderr: ['A key must be 1 to 512 printable ASCII characters without spaces.'],
    };
  }

  const keyHash = useScrypt ? hashApiKeyWithScrypt(key) : hashApiKey(key);
  const stderr: string[] = [];
  if (generate) stderr.push(`New key (give it to the client; it is not stored anywhere): ${key}`);
  if (!useScrypt && !generate && key.length < SHORT_KEY_CHARACTERS) {
    stderr.push(
      `Warning: a ${key.length}-character key may be guessable, and sha256 is fast to search. ` +
        'Use --generate for a random key, or --scrypt for a human-chosen one.',
    );
  }
  stderr.push(
    `API_KEYS_FILE entry: { "id": "<id>", "name": "<name>", "keyHash": "${keyHash}", "roles": ["VIEWER"] }`,
  );
  return { exitCode: 0, stdout: [keyHash], stderr };
}

if (require.main === module) {
  const result = runHashKey(process.argv.slice(2));
  for (const line of result.stdout) console.log(line);
  for (const line of result.stderr) console.error(line);
  process.exitCode = result.exitCode;
}
