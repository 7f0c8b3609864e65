/** The README's long shell examples (test/readme-examples.ts): a thousand schedules, the model
 *  checker at its full bounds, a global install. */
import { exampleTests } from '../readme-examples.js';

exampleTests(true);
