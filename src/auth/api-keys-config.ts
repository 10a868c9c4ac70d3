/**
 * Parses the configured API keys: `API_KEYS_FILE` (a JSON file) and/or `API_KEYS` (the same JSON
 * inline, or a compact form). Pure apart from `readApiKeysConfig`, which reads the file; the
 * config module calls one of them at start-up and nothing here reads process.env.
 *
 * JSON form: `[{ "id": "desk-a", "name": "Desk A", "keyHash": "sha256:<hex>",
 *   "roles": ["OPERATOR"], "accounts": ["ACC-1"] }]` (`name` defaults to `id`; omit `accounts`
 *   for every account).
 * Compact form: entries separated by `;` (or newlines), fields by `,`, list items by `+`:
 *   `desk-a,OPERATOR,sha256:<hex>,ACC-1+ACC-2;ci-bot,VIEWER,sha256:<hex>`.
 *
 * Every problem is collected and reported with the entry it belongs to; plaintext keys are refused.
 */
import { readFileSync } from 'node:fs';

import { DEVELOPMENT_KEY, DEVELOPMENT_PRINCIPAL_ID } from './development-key';
import { type KeyHash, parseKeyHash, sha256Digest, verifyApiKey } from './key-hash';
import { isRole, type Role, ROLES } from './principal';

export interface ApiKeyEntry {
  readonly id: string;
  readonly name: string;
  readonly keyHash: KeyHash;
  /** As granted in configuration; the principal expands them (ADMIN implies OPERATOR and VIEWER). */
  readonly roles: readonly Role[];
  /** Absent: every account. */
  readonly accounts?: readonly string[];
}

export class ApiKeysConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid API key configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ApiKeysConfigError';
  }
}

export interface ApiKeysSources {
  /** Contents of API_KEYS_FILE and its path (the path only labels messages). */
  readonly apiKeysFile?: { readonly path: string; readonly text: string };
  /** The API_KEYS value. */
  readonly apiKeysEnv?: string;
}

/** Both sources merged; throws ApiKeysConfigError naming every bad entry. No sources: no keys. */
export function parseApiKeysConfig(sources: ApiKeysSources): ApiKeyEntry[] {
  const problems: string[] = [];
  const labelled: { entry: ApiKeyEntry; label: string }[] = [];

  if (sources.apiKeysFile !== undefined) {
    const source = `API_KEYS_FILE (${sources.apiKeysFile.path})`;
    labelled.push(...parseJsonEntries(sources.apiKeysFile.text, source, problems));
  }
  const envValue = sources.apiKeysEnv?.trim();
  if (envValue !== undefined && envValue !== '') {
    labelled.push(
      ...(envValue.startsWith('[')
        ? parseJsonEntries(envValue, 'API_KEYS', problems)
        : parseCompactEntries(envValue, 'API_KEYS', problems)),
    );
  }

  checkAcrossEntries(labelled, problems);
  if (problems.length > 0) throw new ApiKeysConfigError(problems);
  return labelled.map(({ entry }) => entry);
}

/** Reads API_KEYS_FILE (when given) and parses it with API_KEYS; an unreadable file is a reported problem. */
export function readApiKeysConfig(settings: {
  apiKeysFilePath?: string;
  apiKeysEnv?: string;
}): ApiKeyEntry[] {
  let apiKeysFile: ApiKeysSources['apiKeysFile'];
  if (settings.apiKeysFilePath !== undefined) {
    try {
      apiKeysFile = { path: settings.apiKeysFilePath, text: readFileSync(settings.apiKeysFilePath, 'utf8') };
    } catch (error) {
      throw new ApiKeysConfigError([`API_KEYS_FILE cannot be read: ${describeError(error)}`]);
    }
  }
  return parseApiKeysConfig({
    ...(apiKeysFile !== undefined ? { apiKeysFile } : {}),
    ...(settings.apiKeysEnv !== undefined ? { apiKeysEnv: settings.apiKeysEnv } : {}),
  });
}

const ENTRY_FIELDS = new Set(['id', 'name', 'keyHash', 'roles', 'accounts']);
const PLAINTEXT_FIELDS = new Set(['key', 'apiKey', 'secret', 'token', 'password']);
/** Ids appear in logs and in the compact form, so they avoid its separators and whitespace. */
const ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

interface EntryFields {
  readonly id: unknown;
  readonly name: unknown;
  readonly keyHash: unknown;
  readonly roles: unknown;
  readonly accounts: unknown;
}

function parseJsonEntries(
  text: string,
  source: string,
  problems: string[],
): { entry: ApiKeyEntry; label: string }[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    problems.push(`${source} is not valid JSON: ${describeError(error)}`);
    return [];
  }
  if (!Array.isArray(document)) {
    problems.push(`${source} must be a JSON array of key entries`);
    return [];
  }
  const entries: { entry: ApiKeyEntry; label: string }[] = [];
  document.forEach((item: unknown, index) => {
    const label = entryLabel(source, index, item);
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${label} must be an object`);
      return;
    }
    const record = item as Record<string, unknown>;
    for (const field of Object.keys(record)) {
      if (PLAINTEXT_FIELDS.has(field))
        problems.push(`${label}: '${field}' is not accepted; store only 'keyHash' (npm run auth:hash-key)`);
      else if (!ENTRY_FIELDS.has(field)) problems.push(`${label}: unknown field '${field}'`);
    }
    const entry = validateEntry(record as unknown as EntryFields, label, problems);
    if (entry !== undefined) entries.push({ entry, label });
  });
  return entries;
}

function parseCompactEntries(
  text: string,
  source: string,
  problems: string[],
): { entry: ApiKeyEntry; label: string }[] {
  const entries: { entry: ApiKeyEntry; label: string }[] = [];
  const segments = text
    .split(/[;\n]/)
    .map((segment) => segment.trim())
    .filter((segment) => segment !== '');
  segments.forEach((segment, index) => {
    const fields = segment.split(',').map((field) => field.trim());
    const label = entryLabel(source, index, { id: fields[0] });
    if (fields.length < 3 || fields.length > 4) {
      problems.push(
        `${label} must be 'id,ROLE[+ROLE],keyHash[,account+account]' (got ${fields.length} fields)`,
      );
      return;
    }
    const [id, roles, keyHash, accounts] = fields;
    const entry = validateEntry(
      {
        id,
        name: undefined,
        keyHash,
        roles: roles!.split('+').map((role) => role.trim()),
        accounts: accounts?.split('+').map((account) => account.trim()),
      },
      label,
      problems,
    );
    if (entry !== undefined) entries.push({ entry, label });
  });
  return entries;
}

function entryLabel(source: string, index: number, item: unknown): string {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== ''
    ? `${source} entry [${index}] '${id}'`
    : `${source} entry [${index}]`;
}

function validateEntry(fields: EntryFields, label: string, problems: string[]): ApiKeyEntry | undefined {
  const before = problems.length;

  const { id, name, keyHash, roles, accounts } = fields;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    problems.push(`${label}: id must be 1 to 64 letters, digits, '.', '_' or '-'`);
  } else if (id === DEVELOPMENT_PRINCIPAL_ID) {
    problems.push(`${label}: id '${DEVELOPMENT_PRINCIPAL_ID}' is reserved for the development key`);
  }

  if (name !== undefined && (typeof name !== 'string' || name.trim() === '')) {
    problems.push(`${label}: name must be a non-empty string when given`);
  }

  let parsedHash: KeyHash | undefined;
  if (typeof keyHash !== 'string') {
    problems.push(`${label}: keyHash is required`);
  } else {
    const result = parseKeyHash(keyHash);
    if (result.ok) parsedHash = result.keyHash;
    else problems.push(`${label}: keyHash ${result.problem}`);
  }

  const grantedRoles: Role[] = [];
  if (!Array.isArray(roles) || roles.length === 0) {
    problems.push(`${label}: roles must list at least one of ${ROLES.join(', ')}`);
  } else {
    roles.forEach((role: unknown, index) => {
      if (isRole(role)) grantedRoles.push(role);
      else problems.push(`${label}: roles[${index}] '${String(role)}' must be one of ${ROLES.join(', ')}`);
    });
  }

  let accountIds: string[] | undefined;
  if (accounts !== undefined) {
    // An empty scope would be a key that can see nothing, easily mistaken for "all accounts".
    if (!Array.isArray(accounts) || accounts.length === 0) {
      problems.push(`${label}: accounts must list at least one account id; omit it for every account`);
    } else {
      accountIds = [];
      accounts.forEach((account: unknown, index) => {
        if (typeof account === 'string' && account.trim() !== '') accountIds!.push(account.trim());
        else problems.push(`${label}: accounts[${index}] must be a non-empty account id`);
      });
    }
  }

  if (problems.length > before) return undefined;
  return Object.freeze({
    id: id as string,
    name: typeof name === 'string' ? name.trim() : (id as string),
    keyHash: parsedHash!,
    roles: Object.freeze(grantedRoles),
    ...(accountIds !== undefined ? { accounts: Object.freeze(accountIds) } : {}),
  });
}

function checkAcrossEntries(
  labelled: readonly { entry: ApiKeyEntry; label: string }[],
  problems: string[],
): void {
  const labelById = new Map<string, string>();
  const labelByDigest = new Map<string, string>();
  const developmentKeySha256 = sha256Digest(DEVELOPMENT_KEY);
  for (const { entry, label } of labelled) {
    const firstWithId = labelById.get(entry.id);
    if (firstWithId !== undefined)
      problems.push(`${label}: id '${entry.id}' is already used by ${firstWithId}`);
    else labelById.set(entry.id, label);

    if (entry.keyHash.algorithm !== 'sha256') continue;
    const digest = entry.keyHash.digest.toString('hex');
    const firstWithDigest = labelByDigest.get(digest);
    if (firstWithDigest !== undefined)
      problems.push(
        `${label}: keyHash is the same as ${firstWithDigest}'s; one key must map to one principal`,
      );
    else labelByDigest.set(digest, label);
    if (verifyApiKey(DEVELOPMENT_KEY, entry.keyHash, developmentKeySha256))
      problems.push(`${label}: keyHash is the hash of the public development key '${DEVELOPMENT_KEY}'`);
  }
}

// Not `instanceof Error`: errors from Node built-ins can come from another realm (as under jest).
function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
