/**
 * `npm run test:long`: the long searches — the property explored over hundreds of schedules on
 * every config, every mutant hunted (unbatched and batched), the model checker on every
 * configs/verify/ config, the 100,000-request load run. Kept out of `npm test` so that it stays
 * a few minutes long; CI (.ci/run) runs both.
 */
import base from './ava.config.js';

// A long search may run many minutes before its test reports (ava's timeout is the longest
// wait for any test result).
export default { ...base, files: ['test/long/**/*.test.ts'], timeout: '15m' };
