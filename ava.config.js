/**
 * ava's configuration for `npm test`: every test file in test/ except the long searches in
 * test/long/, which `npm run test:long` runs (ava.long.config.js; CI runs both). ava compiles
 * the tests with tsc and runs dist/test/.
 */
export default {
  typescript: { rewritePaths: { 'test/': 'dist/test/' }, compile: 'tsc' },
  files: ['test/**/*.test.ts', '!test/long/**'],
  timeout: '5m',
  workerThreads: false,
  serial: false,
};
