// Building blocks of the partner fakes (partners/<id>/src/fake): tests and `pnpm start` use them.
export * from './consent.js';
export * from './faults.js';
export * from './http.js';
export * from './oauth1-server.js';
export * from './oauth2-server.js';
export * from './partner-fake.js';
export * from './random.js';
export * from './rate-limit.js';
export * from './serve.js';
export * from './store.js';
export * from './testing.js';
export * from './tokens.js';
export * from './types.js';
export * from './users.js';
export * from './webhook.js';
