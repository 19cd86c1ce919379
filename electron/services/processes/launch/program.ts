import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ServiceError } from '../../../contract/errors';

/** The working directory a launch runs in: given (must be a directory), else the user's home, else /. */
export function checkCwd(cwd: string | undefined): string {
  if (!cwd) {
    // Service accounts often have a home directory that does not exist: start in / then.
    const home = homedir();
    return existsSync(home) && statSync(home).isDirectory() ? home : '/';
  }
  const dir = resolve(cwd);
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new ServiceError('NOT_FOUND', `working directory ${dir} does not exist`);
  }
  if (!isDir) throw new ServiceError('INVALID_INPUT', `working directory ${dir} is not a directory`);
  return dir;
}

/**
 * Finds the program the way execvp would (a name with a slash is a path, relative to cwd; else
 * each PATH entry), so a missing or non-executable program is a clear error before anything runs.
 */
export function resolveProgram(program: string, cwd: string, path: string | undefined): string {
  if (!program) throw new ServiceError('INVALID_INPUT', 'the command is empty: give the program to run');
  const candidates = program.includes('/')
    ? [isAbsolute(program) ? program : join(cwd, program)]
    : (path ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).filter(Boolean).map((d) => join(isAbsolute(d) ? d : join(cwd, d), program));
  let notExecutable: string | null = null;
  for (const file of candidates) {
    let st;
    try {
      st = statSync(file);
    } catch {
      continue;
    }
    if (!st.isFile()) {
      notExecutable ??= file;
      continue;
    }
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      notExecutable ??= file;
    }
  }
  if (notExecutable) throw new ServiceError('EPERM', `${notExecutable} is not an executable file`);
  throw new ServiceError(
    'NOT_FOUND',
    program.includes('/') ? `program ${candidates[0]} does not exist` : `program "${program}" was not found in PATH`,
  );
}
