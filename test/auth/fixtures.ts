/** Test keys and their SHA-256 hashes, computed independently with `printf %s <key> | sha256sum`. */
export const OPERATOR_KEY = 'operator-key-3b9f0c2e6a1d4f58b7e2c9a0d3f6e1b4';
export const OPERATOR_KEY_HASH = 'sha256:5f416a57235bbe94946a8ad12a1d4afc0c457967799cee36d7dcfd46b9dc3cd4';
export const VIEWER_KEY = 'viewer-key-7c1e4a9d2b5f8e0a3c6d9f2b5e8a1c4d';
export const VIEWER_KEY_HASH = 'sha256:8c8b241c9ed1f6b102168a550f0529ca14e7985eced6e53e4eef2bebe8f73d28';
export const ADMIN_KEY = 'admin-key-0f3a6c9e2b5d8f1a4c7e0b3d6f9a2c5e';
export const ADMIN_KEY_HASH = 'sha256:89a203a884775e3270e37744bdbec75daf5c6b04a363f6f7f5cb85aea10414f5';
export const DEVELOPMENT_KEY_HASH = 'sha256:df76ff796f70d2c9cb055ea6280553caa27eda26b70e01082c160de75a05a4a9';

/** Runs `action` and returns what it threw, failing the test when it did not throw. */
export function thrownBy(action: () => unknown): any {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
