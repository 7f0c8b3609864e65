import { UsageError, type Io } from './io.js';
export async function exploreCommand(_args: string[], _io: Io): Promise<number> {
  throw new UsageError('explore: not available yet');
}
