import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parseApiKeysConfig, readApiKeysConfig } from '../../src/auth/api-keys-config';
import { verifyApiKey } from '../../src/auth/key-hash';
import {
  ADMIN_KEY,
  ADMIN_KEY_HASH,
  DEVELOPMENT_KEY_HASH,
  OPERATOR_KEY,
  OPERATOR_KEY_HASH,
  thrownBy,
  VIEWER_KEY_HASH,
} from './fixtures';

const file = (entries: unknown) => ({ path: 'keys.json', text: JSON.stringify(entries) });
const problemsOf = (action: () => unknown): string[] => {
  const error = thrownBy(action);
  expect(error.name).toBe('ApiKeysConfigError');
  return error.problems;
};

describe('valid configuration', () => {
  it('reads the JSON file form', () => {
    const [entry] = parseApiKeysConfig({
      apiKeysFile: file([
        {
          id: 'desk-a',
          name: 'Desk A',
          keyHash: OPERATOR_KEY_HASH,
          roles: ['OPERATOR'],
          accounts: ['ACC-1'],
        },
      ]),
    });
    expect(entry).toMatchObject({ id: 'desk-a', name: 'Desk A', roles: ['OPERATOR'], accounts: ['ACC-1'] });
    expect(verifyApiKey(OPERATOR_KEY, entry!.keyHash)).toBe(true);
  });

  it('reads the compact env form, with name defaulting to id and no scope when accounts are omitted', () => {
    const entries = parseApiKeysConfig({
      apiKeysEnv: ` desk-a , OPERATOR , ${OPERATOR_KEY_HASH} , ACC-1+ACC-2 ;\nops,VIEWER+ADMIN,${ADMIN_KEY_HASH}; `,
    });
    expect(entries.map(({ id, name, roles, accounts }) => ({ id, name, roles, accounts }))).toEqual([
      { id: 'desk-a', name: 'desk-a', roles: ['OPERATOR'], accounts: ['ACC-1', 'ACC-2'] },
      { id: 'ops', name: 'ops', roles: ['VIEWER', 'ADMIN'], accounts: undefined },
    ]);
    expect(verifyApiKey(ADMIN_KEY, entries[1]!.keyHash)).toBe(true);
  });

  it('reads JSON in API_KEYS and merges it after the file', () => {
    const entries = parseApiKeysConfig({
      apiKeysFile: file([{ id: 'from-file', keyHash: VIEWER_KEY_HASH, roles: ['VIEWER'] }]),
      apiKeysEnv: JSON.stringify([{ id: 'from-env', keyHash: ADMIN_KEY_HASH, roles: ['ADMIN'] }]),
    });
    expect(entries.map((entry) => entry.id)).toEqual(['from-file', 'from-env']);
  });

  it('gives no keys when neither source is set, or API_KEYS is blank', () => {
    expect(parseApiKeysConfig({})).toEqual([]);
    expect(parseApiKeysConfig({ apiKeysEnv: '  ' })).toEqual([]);
  });

  it('reads API_KEYS_FILE from disk', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'api-keys-'));
    const keysPath = path.join(directory, 'keys.json');
    writeFileSync(keysPath, JSON.stringify([{ id: 'auditor', keyHash: VIEWER_KEY_HASH, roles: ['VIEWER'] }]));
    expect(readApiKeysConfig({ apiKeysFilePath: keysPath }).map((entry) => entry.id)).toEqual(['auditor']);
  });
});

describe('problems name the entry', () => {
  it('names the entry by index and id for a bad role, and reports every problem at once', () => {
    const problems = problemsOf(() =>
      parseApiKeysConfig({
        apiKeysFile: file([
          { id: 'fine', keyHash: VIEWER_KEY_HASH, roles: ['VIEWER'] },
          { id: 'desk-b', keyHash: OPERATOR_KEY_HASH, roles: ['OPRATOR'] },
          { id: 'no-hash', roles: ['VIEWER'] },
        ]),
      }),
    );
    expect(problems).toEqual([
      "API_KEYS_FILE (keys.json) entry [1] 'desk-b': roles[0] 'OPRATOR' must be one of VIEWER, OPERATOR, ADMIN",
      "API_KEYS_FILE (keys.json) entry [2] 'no-hash': keyHash is required",
    ]);
  });

  it('refuses a plaintext key, whether in keyHash or in a key field', () => {
    const problems = problemsOf(() =>
      parseApiKeysConfig({
        apiKeysFile: file([
          { id: 'plain-hash', keyHash: 'hunter2', roles: ['VIEWER'] },
          { id: 'plain-field', key: 'hunter2', keyHash: VIEWER_KEY_HASH, roles: ['VIEWER'] },
        ]),
      }),
    );
    expect(problems[0]).toMatch(
      /^API_KEYS_FILE \(keys\.json\) entry \[0\] 'plain-hash': keyHash .*plaintext keys are not accepted/,
    );
    expect(problems[1]).toBe(
      "API_KEYS_FILE (keys.json) entry [1] 'plain-field': 'key' is not accepted; store only 'keyHash' (npm run auth:hash-key)",
    );
  });

  it('names a compact entry with the wrong number of fields', () => {
    expect(
      problemsOf(() => parseApiKeysConfig({ apiKeysEnv: `ok,VIEWER,${VIEWER_KEY_HASH};broken,VIEWER` })),
    ).toEqual([
      "API_KEYS entry [1] 'broken' must be 'id,ROLE[+ROLE],keyHash[,account+account]' (got 2 fields)",
    ]);
  });

  it.each([
    [{ id: 'x', keyHash: VIEWER_KEY_HASH, roles: [] }, "entry [0] 'x': roles must list at least one"],
    [
      { id: 'x', keyHash: VIEWER_KEY_HASH, roles: ['VIEWER'], accounts: [] },
      "entry [0] 'x': accounts must list",
    ],
    [{ id: 'has space', keyHash: VIEWER_KEY_HASH, roles: ['VIEWER'] }, "entry [0] 'has space': id must be"],
    [
      { id: 'development-key', keyHash: VIEWER_KEY_HASH, roles: ['VIEWER'] },
      'is reserved for the development key',
    ],
    [
      { id: 'x', keyHash: DEVELOPMENT_KEY_HASH, roles: ['ADMIN'] },
      "is the hash of the public development key 'dev-admin-key'",
    ],
    [
      { id: 'x', keyHash: VIEWER_KEY_HASH, roles: ['VIEWER'], scope: 'all' },
      "entry [0] 'x': unknown field 'scope'",
    ],
    [{ keyHash: VIEWER_KEY_HASH, roles: ['VIEWER'] }, 'entry [0]: id must be'],
  ])('refuses %j', (entry, expected) => {
    const problems = problemsOf(() => parseApiKeysConfig({ apiKeysFile: file([entry]) }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('refuses an id or a key used twice across the file and API_KEYS', () => {
    const problems = problemsOf(() =>
      parseApiKeysConfig({
        apiKeysFile: file([{ id: 'desk-a', keyHash: OPERATOR_KEY_HASH, roles: ['OPERATOR'] }]),
        apiKeysEnv: `desk-a,VIEWER,${VIEWER_KEY_HASH};desk-b,VIEWER,${OPERATOR_KEY_HASH}`,
      }),
    );
    expect(problems).toEqual([
      "API_KEYS entry [0] 'desk-a': id 'desk-a' is already used by API_KEYS_FILE (keys.json) entry [0] 'desk-a'",
      "API_KEYS entry [1] 'desk-b': keyHash is the same as API_KEYS_FILE (keys.json) entry [0] 'desk-a''s; one key must map to one principal",
    ]);
  });

  it('reports unreadable and malformed files', () => {
    expect(problemsOf(() => readApiKeysConfig({ apiKeysFilePath: '/nonexistent/keys.json' }))[0]).toMatch(
      /^API_KEYS_FILE cannot be read: ENOENT/,
    );
    expect(
      problemsOf(() => parseApiKeysConfig({ apiKeysFile: { path: 'keys.json', text: '{' } }))[0],
    ).toMatch(/^API_KEYS_FILE \(keys\.json\) is not valid JSON/);
    expect(problemsOf(() => parseApiKeysConfig({ apiKeysFile: file({ id: 'x' }) }))).toEqual([
      'API_KEYS_FILE (keys.json) must be a JSON array of key entries',
    ]);
  });
});
