import type { EventType } from '@tally/contracts';
import type { TrackInput } from '../sdk-types.js';

const PAGES = ['/', '/pricing', '/docs', '/blog', '/signup'];
const ELEMENTS = ['buy-button', 'nav-docs', 'nav-pricing', 'signup-cta'];
const LOGIN_METHODS = ['password', 'google', 'sso'];

/** Valid events of the given types, round-robin, from `users` distinct user ids. */
export function createEventGenerator(types: EventType[], users: number) {
  let n = 0;
  return (): TrackInput => {
    const i = n++;
    const type = types[i % types.length] ?? 'click';
    const userId = `load-user-${Math.floor(Math.random() * users)}`;
    const pick = (list: string[]) => list[i % list.length] ?? '';
    switch (type) {
      case 'click':
        return { type, userId, properties: { element: pick(ELEMENTS), page: pick(PAGES) } };
      case 'page_view':
        return { type, userId, properties: { path: pick(PAGES) } };
      case 'login':
        return { type, userId, properties: { method: pick(LOGIN_METHODS), success: i % 10 !== 0 } };
      case 'purchase':
        return {
          type,
          userId,
          properties: {
            orderId: `load-${i}-${Date.now()}`,
            amount: (i % 100) + 0.99,
            currency: 'EUR',
          },
        };
      case 'custom':
        return { type, userId, name: 'load_test' };
    }
  };
}
