import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config-error.js';

/** What an operator can act on, for the errors of reading a file. */
const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
};

/** A file setting's path as an error prints it. */
export const shownPath = (file: string | URL): string => (file instanceof URL ? fileURLToPath(file) : file);

/**
 * The text of the file a setting names (read once, at start), without the byte-order mark an editor
 * such as Windows Notepad may put first; an error is a ConfigError naming the setting, the file and
 * why (`ROUTING_POLICY_FILE: cannot read /x: no such file`), where Node's own said `ENOENT` without
 * the setting, or `EISDIR` without even the path.
 */
export function readSettingFile(setting: string, file: string | URL): string {
  try {
    return readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const why = READ_PROBLEMS[code] ?? (error instanceof Error ? error.message : String(error));
    throw new ConfigError(`${setting}: cannot read ${shownPath(file)}: ${why}`, { cause: error });
  }
}

/** `parse` of a file setting's text, any error it throws made a ConfigError naming the setting and the file. */
export function parseSettingFile<T>(setting: string, file: string | URL, parse: (text: string) => T): T {
  const text = readSettingFile(setting, file);
  try {
    return parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`${setting}: ${shownPath(file)}: ${why}`, { cause: error });
  }
}
