/**
 * The embedded development key, so a newcomer's first query works in one step.
 *
 * Decision: a fixed, documented key (`dev-admin-key`) with the ADMIN role, rather than a random
 * key per start, so README examples and saved client settings keep working across restarts. A
 * well-known key is safe only because of where it is accepted:
 * - never when NODE_ENV is production;
 * - only when the server is bound to a loopback address (127.0.0.0/8, ::1 or `localhost`), so
 *   binding to 0.0.0.0 or :: (as in a container) disables it;
 * - only for requests whose remote address is loopback and that carry no proxy forwarding header
 *   (Forwarded, X-Forwarded-For, X-Real-IP): a reverse proxy on the same host would otherwise
 *   make internet traffic look local.
 * Everywhere else the key is just an unknown key: UNAUTHENTICATED, with the usual message.
 */
import { isIP } from 'node:net';

import { createPrincipal, type Principal } from './principal';

export const DEVELOPMENT_KEY = 'dev-admin-key';
/** Reserved: no configured key may use this id. */
export const DEVELOPMENT_PRINCIPAL_ID = 'development-key';

export const DEVELOPMENT_PRINCIPAL: Principal = createPrincipal({
  id: DEVELOPMENT_PRINCIPAL_ID,
  name: 'Development key (loopback only)',
  roles: ['ADMIN'],
});

/** Headers a reverse proxy adds; their presence means the loopback peer is not the real client. */
export const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

/** The development key when this configuration enables it, otherwise undefined. */
export function developmentKey(config: {
  readonly nodeEnv: string;
  readonly host: string;
}): string | undefined {
  if (config.nodeEnv === 'production') return undefined;
  return isLoopbackHost(config.host) ? DEVELOPMENT_KEY : undefined;
}

/** One line for the start-up log, so the key is discoverable without reading docs. */
export function developmentKeyNotice(key: string): string {
  return `Development API key enabled (loopback only, never in production): send 'Authorization: Bearer ${key}'`;
}

/** A bind address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host.trim().toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

/** 127.0.0.0/8, ::1, and IPv4-mapped 127.x.x.x as Node reports it on a dual-stack socket (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const normalized = address.trim().toLowerCase();
  const ipVersion = isIP(normalized);
  if (ipVersion === 4) return normalized.startsWith('127.');
  if (ipVersion !== 6) return false;
  if (normalized === '::1' || normalized === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^(?:0:0:0:0:0|:):ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(normalized);
  return mapped !== null && isIP(mapped[1]!) === 4 && mapped[1]!.startsWith('127.');
}
