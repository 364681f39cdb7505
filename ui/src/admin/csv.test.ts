import { describe, expect, it } from 'vitest';
import type { ImportPreview } from '../bindings/ImportPreview';
import { describeFieldError, goodRows, previewTable, recordStartLines } from './csv';

describe('recordStartLines', () => {
  it('finds where each data record starts, with quoted newlines, CRLF and a BOM', () => {
    const text = '\uFEFFname,email\r\n"Multi\r\nline",m@x.org\r\nAda,"a@x.org"\r\n"He said ""hi""",h@x.org';
    expect(recordStartLines(text)).toEqual({ lines: [2, 4, 5], blankAfterData: false });
  });

  it('skips blank lines and notes blank lines after data', () => {
    expect(recordStartLines('name,email\n\nA,a@x.org\n,,\nB,b@x.org\n')).toEqual({ lines: [3, 5], blankAfterData: true });
    expect(recordStartLines('name,email\n\nA,a@x.org\n')).toEqual({ lines: [3], blankAfterData: false });
    expect(recordStartLines('')).toEqual({ lines: [], blankAfterData: false });
    expect(recordStartLines('name,email')).toEqual({ lines: [], blankAfterData: false });
  });
});

const preview = (over: Partial<ImportPreview>): ImportPreview => ({ rows: 0, profiles: [], errors: [], ignoredColumns: [], ...over });

describe('previewTable', () => {
  const text = 'name,email,shoe\nAda,ada@x.org,1\n,bad,2\nBob,ada@x.org,3\n';
  const p = preview({
    rows: 3,
    profiles: [
      { name: 'Ada', email: 'ada@x.org' },
      { name: '', email: 'bad' },
      { name: 'Bob', email: 'ada@x.org' },
    ],
    errors: [
      { index: 3, field: 'name', message: 'name must not be empty' },
      { index: 3, field: 'email', message: 'email "bad" is not a valid e-mail address' },
      { index: 4, field: 'email', message: 'email ada@x.org is already used on line 2' },
      { index: 1, field: 'header', message: 'column "email" appears twice' },
    ],
    ignoredColumns: ['shoe'],
  });

  it('puts every problem next to its row and keeps file problems apart', () => {
    const t = previewTable(p, text);
    expect(t.rows.map((r) => [r.line, r.errors.length])).toEqual([
      [2, 0],
      [3, 2],
      [4, 1],
    ]);
    expect(t.fileErrors).toEqual([{ index: 1, field: 'header', message: 'column "email" appears twice' }]);
    expect(t.badRows).toBe(2);
    expect(t.canCommit).toBe(false);
    expect(t.ignoredColumns).toEqual(['shoe']);
  });

  it('uses the details of a refused commit instead of the preview errors', () => {
    const t = previewTable(preview({ ...p, errors: [] }), text, [{ index: 2, field: 'email', message: 'taken' }]);
    expect(t.rows[0]?.errors).toEqual([{ index: 2, field: 'email', message: 'taken' }]);
    expect(t.canCommit).toBe(false);
  });

  it('lists problems by line only when rows cannot be matched to lines', () => {
    const t = previewTable(p, 'name,email\nAda,ada@x.org\n\n,bad\nBob,ada@x.org\n');
    expect(t.rows.every((r) => r.line === null && r.errors.length === 0)).toBe(true);
    expect(t.fileErrors).toHaveLength(4);
    expect(t.badRows).toBe(-1);
  });

  it('allows a commit only with rows and no problems', () => {
    expect(previewTable(preview({ rows: 1, profiles: [{ name: 'A', email: 'a@x.org' }] }), 'name,email\nA,a@x.org').canCommit).toBe(true);
    expect(previewTable(preview({}), 'name,email\n').canCommit).toBe(false);
  });

  it('offers to import only the good rows when every problem belongs to a row', () => {
    const rowsOnly = previewTable(preview({ ...p, errors: p.errors.filter((e) => e.field !== 'header') }), text);
    expect(goodRows(rowsOnly)).toBe(1);
    // A problem with the whole file (the header here), or problems not tied to rows: fix the file first.
    expect(goodRows(previewTable(p, text))).toBeNull();
    expect(goodRows(previewTable(p, 'name,email\nAda,ada@x.org\n\n,bad\nBob,ada@x.org\n'))).toBeNull();
    // Nothing to leave out, or nothing left.
    expect(goodRows(previewTable(preview({ rows: 1, profiles: [{ name: 'A', email: 'a@x.org' }] }), 'name,email\nA,a@x.org'))).toBeNull();
    const allBad = previewTable(preview({ rows: 1, profiles: [{ name: '', email: 'a@x.org' }], errors: [{ index: 2, field: 'name', message: 'empty' }] }), 'name,email\n,a@x.org');
    expect(goodRows(allBad)).toBeNull();
  });

  it('describes a problem with its column', () => {
    expect(describeFieldError({ field: 'email', message: 'is taken' })).toBe('email: is taken');
    expect(describeFieldError({ field: '', message: 'name must not be empty' })).toBe('name must not be empty');
  });
});
