/**
 * Authentication and authorization failures. Messages are fixed strings so that a response says
 * nothing beyond its code: a missing, malformed and unknown key read the same, and a missing role
 * reads the same as an account outside the key's scope.
 */
import { DomainError } from '../domain/errors';

export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

export const UNAUTHENTICATED_MESSAGE =
  "Authentication required: send a valid API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'";
export const FORBIDDEN_MESSAGE = 'This API key is not permitted to perform this operation';

export class AuthError extends DomainError {
  constructor(code: AuthErrorCode, message: string) {
    super(code, message);
    this.name = 'AuthError';
  }
}

export class UnauthenticatedError extends AuthError {
  constructor() {
    super('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
    this.name = 'UnauthenticatedError';
  }
}

export class ForbiddenError extends AuthError {
  constructor() {
    super('FORBIDDEN', FORBIDDEN_MESSAGE);
    this.name = 'ForbiddenError';
  }
}
