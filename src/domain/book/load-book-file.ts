/**
 * Reads a book file from disk (seed data, CLI). Every failure is a ValidationError whose message
 * starts with the file name, so a desk can tell which file to fix.
 */
import { readFile } from 'fs/promises';

import type { BookDraft } from '../../store/store.port';
import { type FieldIssue, ValidationError } from '../errors';
import { parseBookFile } from './parse-book';

export async function loadBookFile(filePath: string): Promise<BookDraft> {
  const subject = `book file ${filePath}`;
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : errorMessage(error);
    throw new ValidationError([{ path: '', message: `cannot be read: ${reason}` }], subject);
  }

  let json: unknown;
  try {
    // Editors on some systems save UTF-8 with a byte order mark, which JSON.parse rejects.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ValidationError([jsonSyntaxIssue(text, errorMessage(error))], subject);
  }

  try {
    return parseBookFile(json);
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(error.issues, subject);
    throw error;
  }
}

/** Adds the line and column (1-based) when the parser reports a character position. */
function jsonSyntaxIssue(text: string, parserMessage: string): FieldIssue {
  const position = /at position (\d+)/.exec(parserMessage);
  if (!position) return { path: '', message: `is not valid JSON: ${parserMessage}` };
  const offset = Number(position[1]);
  const before = text.replace(/^\uFEFF/, '').slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { path: '', message: `is not valid JSON at line ${line}, column ${column}: ${parserMessage}` };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
