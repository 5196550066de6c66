export { api, classify, rateLimitHeaders } from './api.js';
export { declaration, fitbitSignature } from './partner.js';
