// The auth service as a library: tests and the end-to-end harness start it in-process.
export { type AuthApp, type AuthAppDeps, createAuthApp } from './app.js';
export { type AuthContext, type AuthSettings, defaultSettings } from './context.js';
export { createKeyRing, DecryptError, type KeyRing, parseKeyRing } from './crypto/key-ring.js';
export { migrations, SCHEMA } from './db/migrations/index.js';
export { rewrap } from './domain/rewrap.js';
export { sweepIdle } from './domain/sweep.js';
export { AuthEnv, loadAuthConfig } from './env.js';
export { handleNeedsReauth, NEEDS_REAUTH_CONSUMER } from './handlers/needs-reauth.handler.js';
export { type Caller, createTokenVerifier, type TokenVerifier } from './http/caller.js';
export { type InstalledPartners, installPartners } from './partners.js';
export { parseReturnUrlAllowList } from './return-url.js';
