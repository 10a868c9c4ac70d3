import type { IncomingHttpHeaders } from 'node:http';

import { parseApiKeysConfig } from '../../src/auth/api-keys-config';
import { UNAUTHENTICATED_MESSAGE } from '../../src/auth/auth-errors';
import { ApiKeyAuthenticator } from '../../src/auth/authenticator';
import { developmentKey } from '../../src/auth/development-key';
import {
  ADMIN_KEY,
  ADMIN_KEY_HASH,
  OPERATOR_KEY,
  OPERATOR_KEY_HASH,
  thrownBy,
  VIEWER_KEY,
  VIEWER_KEY_HASH,
} from './fixtures';

const entries = parseApiKeysConfig({
  apiKeysEnv: [
    `desk-a,OPERATOR,${OPERATOR_KEY_HASH},ACC-DESK-A-1+ACC-DESK-A-2`,
    `auditor,VIEWER,${VIEWER_KEY_HASH}`,
    `admin,ADMIN,${ADMIN_KEY_HASH}`,
  ].join(';'),
});
const withDevelopmentKey = new ApiKeyAuthenticator(entries, { developmentKey: 'dev-admin-key' });
const REMOTE = '203.0.113.9';

function expectUnauthenticated(action: () => unknown) {
  expect(thrownBy(action)).toMatchObject({ code: 'UNAUTHENTICATED', message: UNAUTHENTICATED_MESSAGE });
}

describe('configured keys', () => {
  it('accepts Authorization: Bearer <key>, with any case of the scheme', () => {
    expect(withDevelopmentKey.authenticate({ authorization: `Bearer ${VIEWER_KEY}` }, REMOTE)?.id).toBe(
      'auditor',
    );
    expect(withDevelopmentKey.authenticate({ authorization: `bearer ${VIEWER_KEY}` }, REMOTE)?.id).toBe(
      'auditor',
    );
  });

  it('accepts X-API-Key: <key>, whatever the header name case', () => {
    expect(withDevelopmentKey.authenticate({ 'x-api-key': ADMIN_KEY }, REMOTE)?.id).toBe('admin');
    expect(withDevelopmentKey.authenticate({ 'X-API-Key': ADMIN_KEY }, REMOTE)?.id).toBe('admin');
  });

  it('accepts both headers when they carry the same key', () => {
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'x-api-key': ADMIN_KEY };
    expect(withDevelopmentKey.authenticate(headers, REMOTE)?.id).toBe('admin');
  });

  it('maps a key to its principal with expanded roles and account scope', () => {
    const principal = withDevelopmentKey.authenticate({ 'x-api-key': OPERATOR_KEY }, REMOTE)!;
    expect(principal.name).toBe('desk-a');
    expect([...principal.roles].sort()).toEqual(['OPERATOR', 'VIEWER']);
    expect([...principal.accountScope!].sort()).toEqual(['ACC-DESK-A-1', 'ACC-DESK-A-2']);
    expect(withDevelopmentKey.authenticate({ 'x-api-key': ADMIN_KEY }, REMOTE)!.accountScope).toBeUndefined();
  });

  it("takes Node's IncomingHttpHeaders as they arrive", () => {
    const headers: IncomingHttpHeaders = {
      host: 'localhost:4000',
      'x-api-key': VIEWER_KEY,
      'set-cookie': ['a=1'],
    };
    expect(withDevelopmentKey.authenticate(headers, REMOTE)?.id).toBe('auditor');
  });

  it('returns undefined when no credential is sent', () => {
    expect(withDevelopmentKey.authenticate({ 'content-type': 'application/json' }, REMOTE)).toBeUndefined();
  });
});

describe('refusals all read the same', () => {
  it.each([
    ['an unknown key', { authorization: 'Bearer not-a-configured-key-1234567890' }],
    ['a key differing in one character', { 'x-api-key': `${ADMIN_KEY.slice(0, -1)}f` }],
    ['the Basic scheme', { authorization: `Basic ${Buffer.from(`x:${ADMIN_KEY}`).toString('base64')}` }],
    ['Bearer without a key', { authorization: 'Bearer' }],
    ['a key containing a space', { authorization: `Bearer ${ADMIN_KEY} extra` }],
    ['an empty X-API-Key', { 'x-api-key': '' }],
    ['two X-API-Key values', { 'x-api-key': [ADMIN_KEY, ADMIN_KEY] }],
    ['headers that disagree', { authorization: `Bearer ${ADMIN_KEY}`, 'x-api-key': VIEWER_KEY }],
    ['an over-long key', { 'x-api-key': 'k'.repeat(513) }],
  ])('%s gives UNAUTHENTICATED with the common message', (_case, headers) => {
    expectUnauthenticated(() => withDevelopmentKey.authenticate(headers, REMOTE));
  });
});

describe('tryAuthenticate', () => {
  it('returns the principal for a good key and undefined for a refused one', () => {
    expect(withDevelopmentKey.tryAuthenticate({ 'x-api-key': ADMIN_KEY }, REMOTE)?.id).toBe('admin');
    expect(
      withDevelopmentKey.tryAuthenticate({ 'x-api-key': 'not-a-configured-key' }, REMOTE),
    ).toBeUndefined();
    expect(withDevelopmentKey.tryAuthenticate({ authorization: 'Basic abc' }, REMOTE)).toBeUndefined();
  });
});

describe('development key', () => {
  const bearer = { authorization: 'Bearer dev-admin-key' };

  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1'])('is an ADMIN from loopback address %s', (remote) => {
    const principal = withDevelopmentKey.authenticate(bearer, remote)!;
    expect(principal.id).toBe('development-key');
    expect(principal.roles.has('ADMIN')).toBe(true);
    expect(principal.accountScope).toBeUndefined();
  });

  it.each(['10.0.0.7', '::ffff:192.168.1.4', '2001:db8::1', undefined])('is refused from %s', (remote) => {
    expectUnauthenticated(() => withDevelopmentKey.authenticate(bearer, remote));
  });

  it('is refused from loopback when a proxy forwarding header is present', () => {
    expectUnauthenticated(() =>
      withDevelopmentKey.authenticate({ ...bearer, 'x-forwarded-for': '198.51.100.3' }, '127.0.0.1'),
    );
    expectUnauthenticated(() =>
      withDevelopmentKey.authenticate({ ...bearer, forwarded: 'for=198.51.100.3' }, '::1'),
    );
  });

  it.each([
    ['production', '127.0.0.1'],
    ['development', '0.0.0.0'],
  ])('is refused from loopback when NODE_ENV=%s and bound to %s', (nodeEnv, host) => {
    const authenticator = new ApiKeyAuthenticator(entries, {
      developmentKey: developmentKey({ nodeEnv, host }),
    });
    expectUnauthenticated(() => authenticator.authenticate(bearer, '127.0.0.1'));
    expect(authenticator.authenticate({ 'x-api-key': ADMIN_KEY }, '127.0.0.1')?.id).toBe('admin');
  });
});
