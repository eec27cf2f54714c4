// Runs ./redis-cluster-failover.suite.ts where this machine has redis-server (the suite starts its own servers);
// elsewhere the suite is skipped, and the test run's report says so and how to install it.

import { describe, expect, it } from 'vitest';
import { services } from '../helpers/services/index.js';

if (services.redisServer) await import('./redis-cluster-failover.suite.js');

if (!services.redisServer) {
  describe('redis-cluster-failover (needs redis-server on PATH)', () => {
    it('is not run on this machine: apt-get install redis-server', () => {
      expect(services.redisServer).toBeUndefined();
    });
  });
}
