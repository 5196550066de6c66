export * from './declaration.js';
export * from './oauth/oauth1.js';
export * from './oauth/oauth1-signature.js';
export * from './oauth/oauth2.js';
export * from './units.js';
export * from './validate.js';
