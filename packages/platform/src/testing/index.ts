export * from './clock.js';
export * from './test-database.js';
export * from './test-vhost.js';
