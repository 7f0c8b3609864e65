/** A problem with what the user gave us (a flag, a file): printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
