// Mapping the server's import preview onto the rows of the file the organiser chose.
//
// The server answers the profiles in file order and every problem with its file line (`index`). To show each
// problem next to its row we need the line each row starts at, which this file finds itself (quoted fields may
// hold newlines). When the rows cannot be matched with confidence, the problems are listed by line on their own.

import type { CreateProfile } from '../bindings/CreateProfile';
import type { FieldError } from '../bindings/FieldError';
import type { ImportPreview } from '../bindings/ImportPreview';

export interface RecordLines {
  /** One-based line where each data record (not the header, not blank lines) starts. */
  lines: number[];
  /** A blank line follows a data record: line numbers from different CSV readers may then disagree. */
  blankAfterData: boolean;
}

/** The start line of every non-blank record after the header (RFC 4180 quoting, CRLF or LF, optional BOM). */
export function recordStartLines(text: string): RecordLines {
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines: number[] = [];
  let line = 1;
  let start = 1;
  let inQuotes = false;
  let blank = true; // the current record holds nothing but separators and spaces so far
  let header = true;
  let seenData = false;
  let blankAfterData = false;
  const endRecord = () => {
    if (header) {
      header = false;
    } else if (!blank) {
      lines.push(start);
      seenData = true;
    } else if (seenData) {
      blankAfterData = true;
    }
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') i++;
        else inQuotes = false;
      } else if (c === '\n') {
        line++;
      }
      continue;
    }
    if (c === '"') {
      inQuotes = true;
      blank = false;
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
      blank = true;
    } else if (c !== ',' && c !== ' ' && c !== '\t') {
      blank = false;
    }
  }
  if (!blank || header) endRecord();
  return { lines, blankAfterData };
}

export interface PreviewRow {
  /** Position among the data rows, from 1. */
  row: number;
  /** File line the row starts at, when known. */
  line: number | null;
  profile: CreateProfile;
  errors: FieldError[];
}

export interface PreviewTable {
  rows: PreviewRow[];
  /** Problems not tied to a shown row (the header, or every problem when rows and lines could not be matched). */
  fileErrors: FieldError[];
  /** Rows that have at least one problem, or -1 when problems could not be tied to rows. */
  badRows: number;
  ignoredColumns: string[];
  canCommit: boolean;
}

/** Why, with the column named, in one line: `email: "bad" is not a valid e-mail address`. */
export function describeFieldError(e: FieldError): string {
  return e.field ? `${e.field}: ${e.message}` : e.message;
}

/** Joins the preview with the file's lines; `details` (from a refused commit) replace the preview's errors. */
export function previewTable(preview: ImportPreview, text: string, details?: FieldError[]): PreviewTable {
  const errors = details ?? preview.errors;
  const { lines, blankAfterData } = recordStartLines(text);
  const matched = lines.length === preview.profiles.length && !blankAfterData;
  const byLine = new Map<number, number>();
  if (matched) lines.forEach((l, i) => byLine.set(l, i));
  const rows: PreviewRow[] = preview.profiles.map((profile, i) => ({
    row: i + 1,
    line: matched ? (lines[i] ?? null) : null,
    profile,
    errors: [],
  }));
  const fileErrors: FieldError[] = [];
  for (const e of errors) {
    const i = e.index === undefined || e.index === null ? undefined : byLine.get(e.index);
    const row = i === undefined ? undefined : rows[i];
    if (row) row.errors.push(e);
    else fileErrors.push(e);
  }
  const badRows = matched ? rows.filter((r) => r.errors.length > 0).length : errors.length > 0 ? -1 : 0;
  return {
    rows,
    fileErrors,
    badRows,
    ignoredColumns: preview.ignoredColumns,
    canCommit: errors.length === 0 && preview.profiles.length > 0,
  };
}

/**
 * How many rows an import that leaves out the bad ones would create, or null when that cannot be offered: no row
 * has a problem, a problem concerns the whole file (or could not be tied to a row), or no row is good.
 */
export function goodRows(table: PreviewTable): number | null {
  if (table.badRows <= 0 || table.fileErrors.length > 0) return null;
  const good = table.rows.length - table.badRows;
  return good > 0 ? good : null;
}

/** A file's text: UTF-8 (the server's format); a BOM is kept, the server strips it. */
export async function readFileText(file: Blob): Promise<string> {
  return file.text();
}
