// What each role may do, mirroring the API's checks so the console offers only what will work. The API
// decides every request on its own; this only keeps buttons away from people who cannot use them.
import { session } from './api.js';

const RULES = {
  listMedia: ['security', 'admin'],
  placeHold: ['security', 'police', 'admin'],
  releaseHold: ['security', 'admin'],
  reviewHold: ['security', 'admin'],
  evidence: ['security', 'police', 'admin'],
  retention: ['admin'],
  audit: ['admin'],
  holds: ['security', 'police', 'admin'],
  subjectRequests: ['privacy', 'admin'],
};

export function can(action) {
  return RULES[action]?.includes(session.me?.role) ?? false;
}

export const ROLE_LABELS = {
  security: 'Security staff',
  police: 'Police liaison',
  admin: 'Administrator',
  privacy: 'Privacy officer',
};
