import { ConfigError } from '../errors.js';

const NOT_A_FOLDER = 'it is a file, or a file stands where one of its folders must be. Give --out a folder, or move the file away';
const NOT_ALLOWED = 'this user may not write there. Fix its permissions, or give --out another folder';

/** What to do about each file-system error a person can fix. */
const ADVICE: Record<string, string> = {
  ENOTDIR: NOT_A_FOLDER,
  EEXIST: NOT_A_FOLDER,
  ENOSPC: 'the disk is full. Free some space, then run again; the queued pages are kept',
  EDQUOT: 'your disk quota is used up. Free some space, then run again; the queued pages are kept',
  EFBIG: 'a file cannot grow that large here (a file-size limit: ulimit -f). Raise the limit, or give --out another folder',
  EROFS: 'it is on a read-only file system. Give --out a writable folder',
  // what Node's recursive mkdir says when it cannot create a folder on a read-only disk
  ENOENT: 'it, or a folder in it, cannot be created or has gone. Check the path, or give --out another folder',
  EACCES: NOT_ALLOWED,
  EPERM: NOT_ALLOWED,
};

/**
 * A file-system error in a folder the user chose ("the reports folder reports", "the queue folder
 * reports/.queue") as a ConfigError (exit 2) naming the folder, the file, and what to do; any other error
 * unchanged.
 */
export function fsProblem(error: unknown, folder: string): unknown {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  const advice = code === undefined ? undefined : ADVICE[code];
  if (!advice) return error;
  return new ConfigError(`Cannot use ${folder} (${code}${path ? ` at ${path}` : ''}): ${advice}.`, { cause: error });
}
