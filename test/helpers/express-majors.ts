// Express 4 and Express 5 side by side, for `describe.each`: the same test builds its app with
// each. `express4` is the devDependency alias of express@4; `express` is 5 in this repository.

import { createRequire } from 'node:module';
import express5 from 'express';
import express4 from 'express4';

const require = createRequire(import.meta.url);

/** One Express major: its factory (express(), express.json(), express.Router(), ...). */
export interface ExpressMajor {
  major: 4 | 5;
  /** The installed version, e.g. '4.22.3'. */
  version: string;
  express: typeof express5;
}

/** Both majors, for `describe.each(EXPRESS_MAJORS)('on Express $major', ...)`. */
export const EXPRESS_MAJORS: readonly ExpressMajor[] = [
  { major: 4, version: require('express4/package.json').version as string, express: express4 },
  { major: 5, version: require('express/package.json').version as string, express: express5 },
];
