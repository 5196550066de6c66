export { api, classify, rateLimitHeaders } from './api.js';
export { declaration, type StravaWebhookContext } from './partner.js';
