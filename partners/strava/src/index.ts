export { api, classify, rateLimitHeaders } from './api.js';
export { declaration } from './partner.js';
