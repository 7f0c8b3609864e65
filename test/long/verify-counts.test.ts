/**
 * The pinned counts (../verify-pins.ts) of the configs of configs/verify/ whose spaces are too
 * big for `npm test`: each searched at its own bound, with the reduction and without, and with
 * sleep sets alone. A long search: `npm run test:long`.
 */
import test from 'ava';
import { checkPinned, configFiles, isLong } from '../verify-pins.js';

for (const file of configFiles.filter(isLong)) {
  test(`verify counts: ${file} explores the pinned states, with the reduction and without`, (t) => checkPinned(t, file));
}
