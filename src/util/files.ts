/** Writes a whole file or nothing: to a temporary name beside it, then renamed into place. */
import { renameSync, writeFileSync, rmSync } from 'node:fs';

export function writeFileAtomic(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
}
