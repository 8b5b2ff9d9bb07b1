import { readFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { DatasetError } from './dataset.js';

/** Character encodings used by the supported dataset files. */
export type TextEncoding = 'utf8' | 'latin1';

/**
 * Reads a whole dataset file and returns its text, ready for line-based parsing:
 * - decoded as UTF-8 (invalid bytes become U+FFFD, never an exception) or as
 *   Latin-1 / ISO-8859-1 with iconv-lite (MovieLens 100K and 1M);
 * - a leading byte-order mark is removed;
 * - CRLF line ends are turned into LF, so line `n` of the result is line `n`
 *   of the file (a lone CR stays an ordinary character, as `grep -n` sees it).
 *
 * @throws DatasetError (one line) when the file cannot be read (missing,
 *   a directory, no permission).
 */
export async function readTextFile(filePath: string, encoding: TextEncoding): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new DatasetError(`cannot read ${filePath} (${code})`);
  }
  let text = encoding === 'latin1' ? iconv.decode(bytes, 'latin1') : bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\r\n')) text = text.replace(/\r\n/g, '\n');
  return text;
}

