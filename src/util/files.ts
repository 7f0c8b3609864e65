/**
 * Output files: checked before a command does its work (a missing directory is said at once,
 * not after a long run), then written whole or not at all.
 */
import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';

/** Writes a whole file or nothing: to a temporary name beside it, then renamed into place. */
export function writeFileAtomic(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (e) {
    rmSync(temporary, { force: true });
    // Checked before the work began (`unwritable`), so this is rare: a full disk, a directory
    // removed meanwhile. Still one line naming the file.
    throw new UsageError(`${file}: could not be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Why `file` could not be written, in a few words, or undefined when it can be: its directory
 *  must exist and take new files (the write goes through a temporary file beside it), and the
 *  name must not be a directory. */
export function unwritable(file: string): string | undefined {
  if (file === '') return 'an empty file name';
  const dir = path.dirname(file);
  const stat = statOf(dir);
  if (stat === 'missing') return `no such directory: ${dir}`;
  if (stat === 'blocked' || !stat.isDirectory()) return `${dir} is not a directory`;
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    return `cannot write in ${dir} (permission denied)`;
  }
  const existing = statOf(file);
  if (existing !== 'missing' && existing !== 'blocked' && existing.isDirectory()) return 'is a directory';
  return undefined;
}

function statOf(file: string): Stats | 'missing' | 'blocked' {
  try {
    return statSync(file);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'blocked';
  }
}
