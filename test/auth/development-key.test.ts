import { DEVELOPMENT_KEY, developmentKey, isLoopbackAddress } from '../../src/auth/development-key';

describe('developmentKey', () => {
  it('is the documented fixed key', () => {
    expect(DEVELOPMENT_KEY).toBe('dev-admin-key');
  });

  it.each([
    ['development', '127.0.0.1', 'dev-admin-key'],
    ['development', '::1', 'dev-admin-key'],
    ['development', 'localhost', 'dev-admin-key'],
    ['test', '127.0.0.1', 'dev-admin-key'],
    ['production', '127.0.0.1', undefined],
    ['production', '::1', undefined],
    ['development', '0.0.0.0', undefined],
    ['development', '::', undefined],
    ['development', '192.168.1.20', undefined],
    ['development', 'collateral.internal', undefined],
  ])('NODE_ENV=%s bound to %s: %s', (nodeEnv, host, expected) => {
    expect(developmentKey({ nodeEnv, host })).toBe(expected);
  });
});

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['::FFFF:127.0.0.1', true],
    ['10.0.0.7', false],
    ['::ffff:10.0.0.7', false],
    ['0.0.0.0', false],
    ['::', false],
    ['2001:db8::1', false],
    ['128.0.0.1', false],
    ['localhost', false],
    ['127.example.com', false],
    ['', false],
    [undefined, false],
  ])('%s: %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});
