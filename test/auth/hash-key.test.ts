import { createHash } from 'node:crypto';

import { runHashKey } from '../../src/auth/hash-key';
import { OPERATOR_KEY, OPERATOR_KEY_HASH } from './fixtures';

describe('auth:hash-key', () => {
  it('prints only the sha256 line on stdout for a key', () => {
    const result = runHashKey([OPERATOR_KEY]);
    expect(result).toMatchObject({ exitCode: 0, stdout: [OPERATOR_KEY_HASH] });
    expect(result.stderr.join('\n')).not.toContain('Warning');
  });

  it('warns that a short key is guessable', () => {
    const result = runHashKey(['abc']);
    expect(result.stdout).toEqual([
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    ]);
    expect(result.stderr[0]).toMatch(/^Warning: a 3-character key may be guessable/);
  });

  it('generates a 256-bit key and prints its hash', () => {
    const result = runHashKey(['--generate']);
    const key = /New key .*: (\S+)$/.exec(result.stderr[0]!)![1]!;
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(result.stdout).toEqual([`sha256:${createHash('sha256').update(key).digest('hex')}`]);
  });

  it('hashes with scrypt on request', () => {
    expect(runHashKey(['correct-horse-battery-staple', '--scrypt']).stdout[0]).toMatch(
      /^scrypt:16384:8:1:[0-9a-f]{32}:[0-9a-f]{64}$/,
    );
  });

  it.each([[[]], [['a', 'b']], [['--generate', 'a']], [['--sha1', 'a']], [['has space']]])(
    'refuses arguments %j with exit code 2',
    (args) => {
      expect(runHashKey(args)).toMatchObject({ exitCode: 2, stdout: [] });
    },
  );
});
