/**
 * Turns request headers into a Principal. Knows nothing of Express or GraphQL: the caller passes
 * the headers (Node's lower-cased IncomingHttpHeaders fit) and the socket's remote address.
 *
 * Accepted forms: `Authorization: Bearer <key>` and `X-API-Key: <key>`. No credential at all gives
 * `undefined` (anonymous; `authorize` then refuses it). A malformed header, an unknown key, or the
 * development key from where it is not allowed all throw the same UnauthenticatedError.
 */
import type { ApiKeyEntry } from './api-keys-config';
import { UnauthenticatedError } from './auth-errors';
import { DEVELOPMENT_PRINCIPAL, FORWARDING_HEADERS, isLoopbackAddress } from './development-key';
import { sha256Digest, verifyApiKey } from './key-hash';
import { createPrincipal, type Principal } from './principal';

export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ApiKeyAuthenticatorOptions {
  /** From `developmentKey(config)`; absent or undefined disables it. */
  readonly developmentKey?: string | undefined;
}

/** Printable ASCII without spaces, as RFC 6750 tokens are; the bound also caps hashing work. */
const KEY_PATTERN = /^[\x21-\x7e]{1,512}$/;
const BEARER_PATTERN = /^Bearer +(\S+) *$/i;

export class ApiKeyAuthenticator {
  private readonly keys: readonly { readonly entry: ApiKeyEntry; readonly principal: Principal }[];
  private readonly developmentKeySha256: Buffer | undefined;

  constructor(entries: readonly ApiKeyEntry[], options: ApiKeyAuthenticatorOptions = {}) {
    this.keys = entries.map((entry) => ({
      entry,
      principal: createPrincipal({
        id: entry.id,
        name: entry.name,
        roles: entry.roles,
        ...(entry.accounts !== undefined ? { accounts: entry.accounts } : {}),
      }),
    }));
    this.developmentKeySha256 =
      options.developmentKey !== undefined ? sha256Digest(options.developmentKey) : undefined;
  }

  /**
   * For a GraphQL context factory: a refused key becomes undefined instead of a throw, because
   * Apollo turns a throw there into a masked HTTP 500 ("Context creation failed"). Resolvers then
   * call `authorize(undefined, ...)`, which throws the identical UNAUTHENTICATED error.
   */
  tryAuthenticate(headers: RequestHeaders, remoteAddress: string | undefined): Principal | undefined {
    try {
      return this.authenticate(headers, remoteAddress);
    } catch (error) {
      if (error instanceof UnauthenticatedError) return undefined;
      throw error;
    }
  }

  /** The caller's principal; undefined when the request carries no credential at all. */
  authenticate(headers: RequestHeaders, remoteAddress: string | undefined): Principal | undefined {
    const key = presentedKey(headers);
    if (key === undefined) return undefined;
    const keySha256 = sha256Digest(key);

    // Every entry is checked, with no early exit, so timing does not depend on which one matched.
    let match: Principal | undefined;
    for (const { entry, principal } of this.keys) {
      if (verifyApiKey(key, entry.keyHash, keySha256)) match ??= principal;
    }
    if (match !== undefined) return match;

    if (
      this.developmentKeySha256 !== undefined &&
      verifyApiKey(key, { algorithm: 'sha256', digest: this.developmentKeySha256 }, keySha256) &&
      isLoopbackAddress(remoteAddress) &&
      !FORWARDING_HEADERS.some((name) => headerValues(headers, name).length > 0)
    ) {
      return DEVELOPMENT_PRINCIPAL;
    }
    throw new UnauthenticatedError();
  }
}

/** The key from either header; both may be sent only if they agree. Throws on anything malformed. */
function presentedKey(headers: RequestHeaders): string | undefined {
  const authorization = headerValues(headers, 'authorization');
  const apiKeyHeader = headerValues(headers, 'x-api-key');
  if (authorization.length > 1 || apiKeyHeader.length > 1) throw new UnauthenticatedError();

  let fromAuthorization: string | undefined;
  if (authorization.length === 1) {
    const bearer = BEARER_PATTERN.exec(authorization[0]!.trim());
    if (bearer === null) throw new UnauthenticatedError();
    fromAuthorization = bearer[1]!;
  }
  const fromApiKeyHeader = apiKeyHeader.length === 1 ? apiKeyHeader[0]!.trim() : undefined;

  if (
    fromAuthorization !== undefined &&
    fromApiKeyHeader !== undefined &&
    fromAuthorization !== fromApiKeyHeader
  )
    throw new UnauthenticatedError();
  const key = fromAuthorization ?? fromApiKeyHeader;
  if (key !== undefined && !KEY_PATTERN.test(key)) throw new UnauthenticatedError();
  return key;
}

/** Every value of a header, matching its name case-insensitively (Node lower-cases; other callers may not). */
function headerValues(headers: RequestHeaders, lowerCaseName: string): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== lowerCaseName || value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
  }
  return values;
}
