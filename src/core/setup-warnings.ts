// Setups that work but look wrong are said once, at start-up, through the app's logger: a
// memory store in production, a token lifetime so short that users log in all the time.

import { log } from '../logger.js';
import type { Configuration } from './options.js';

/**
 * @example
 * warnAboutSetup(config); // logs 'MemoryStore in production: ...' when NODE_ENV is production
 */
export function warnAboutSetup(config: Pick<Configuration, 'logger' | 'store' | 'tokenTtl'>): void {
  const { logger, store, tokenTtl } = config;
  if (store.shared === false && process.env.NODE_ENV === 'production') {
    log(
      logger,
      'warn',
      {},
      'MemoryStore in production: sessions are lost on restart and not shared between instances; use RedisStore',
    );
  }
  if (tokenTtl < 300)
    log(logger, 'warn', { tokenTtl }, 'tokenTtl is under 5 minutes: users will log in very often');
}
