/** Access control: API keys to principals, roles, and account scope. Framework-free. */
export {
  accountsInScope,
  authorize,
  authorizeGlobal,
  canAccessAccount,
  filterAccounts,
  filterByAccount,
  requireAccountAccess,
} from './access';
export {
  type ApiKeyEntry,
  ApiKeysConfigError,
  parseApiKeysConfig,
  readApiKeysConfig,
} from './api-keys-config';
export {
  AuthError,
  type AuthErrorCode,
  FORBIDDEN_MESSAGE,
  ForbiddenError,
  UNAUTHENTICATED_MESSAGE,
  UnauthenticatedError,
} from './auth-errors';
export { ApiKeyAuthenticator, type RequestHeaders } from './authenticator';
export {
  DEVELOPMENT_KEY,
  DEVELOPMENT_PRINCIPAL_ID,
  developmentKey,
  developmentKeyNotice,
  isLoopbackAddress,
} from './development-key';
export { generateApiKey, hashApiKey, hashApiKeyWithScrypt } from './key-hash';
export { hasRole, type Principal, type Role, ROLES } from './principal';
