/**
 * `npm run test:long`: the long searches — the property explored over hundreds of schedules on
 * every config, every mutant hunted (unbatched and batched), the model checker on every
 * configs/verify/ config, the 100,000-request load run. Kept out of `npm test` so that it stays
 * a few minutes long; CI (.ci/run) runs both.
 */
import base from './ava.config.js';

export default { ...base, files: ['test/long/**/*.test.ts'] };
