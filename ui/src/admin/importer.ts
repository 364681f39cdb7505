// CSV import: choose a file or paste, see what the server would create and every problem by line and column, then
// commit all rows or none.

import type { ImportPreview } from '../bindings/ImportPreview';
import { ApiError } from './api';
import { previewTable, describeFieldError, type PreviewTable } from './csv';
import { StatusLine, busy, clear, h } from './dom';
import type { EventCtx } from './view';

const MAX_ROWS_SHOWN = 500;

export function renderImport(ctx: EventCtx, root: HTMLElement): () => void {
  const { api, event } = ctx;
  let text = '';
  let source = '';
  let preview: ImportPreview | null = null;
  let alive = true;

  const fileInput = h('input', { type: 'file', id: 'csv-file', accept: '.csv,text/csv,text/plain' });
  const paste = h('textarea', {
    id: 'csv-paste',
    rows: 6,
    spellcheck: 'false',
    placeholder: 'name,email,company,major,badge\nAda Lovelace,ada@example.org,Analytical Engines,Mathematics,04A1B2C3D4E5F6',
  });
  const previewBtn = h('button', { class: 'btn', type: 'button' }, 'Preview pasted text');
  const status = new StatusLine();
  const result = h('div', { class: 'import-result' });
  const commitBtn = h('button', { class: 'btn btn-primary', type: 'button', disabled: true }, 'Import');

  async function runPreview(t: string, from: string): Promise<void> {
    text = t;
    source = from;
    preview = null;
    commitBtn.disabled = true;
    clear(result);
    if (!t.trim()) {
      status.error('The file is empty: it needs a header line (name, email, …) and one line per attendee.');
      return;
    }
    status.loading(`Reading ${from}…`);
    try {
      const p = await api.previewImport(event.id, t);
      if (!alive) return;
      preview = p;
      showTable(previewTable(p, t));
    } catch (e) {
      if (!alive) return;
      status.error(e);
    }
  }

  function showTable(table: PreviewTable, refused = false): void {
    const n = table.rows.length;
    const problems = table.rows.reduce((s, r) => s + r.errors.length, 0) + table.fileErrors.length;
    if (refused) {
      status.error(`Nothing was imported: ${problems} problem${problems === 1 ? '' : 's'} in ${source}. Fix them and try again.`);
    } else if (problems > 0) {
      status.error(
        table.badRows > 0
          ? `${problems} problem${problems === 1 ? '' : 's'} in ${table.badRows} of ${n} row${n === 1 ? '' : 's'}: nothing can be imported until they are fixed.`
          : `${problems} problem${problems === 1 ? '' : 's'} in ${source}: nothing can be imported until they are fixed.`,
      );
    } else if (n === 0) {
      status.error('The file has a header line but no attendees.');
    } else {
      status.ok(`${n} attendee${n === 1 ? '' : 's'} ready to import from ${source}.`);
    }
    commitBtn.disabled = !table.canCommit || refused;
    commitBtn.textContent = `Import ${n} attendee${n === 1 ? '' : 's'}`;
    const parts: HTMLElement[] = [];
    if (table.ignoredColumns.length > 0) {
      parts.push(
        h('p', { class: 'note' }, `Ignored column${table.ignoredColumns.length === 1 ? '' : 's'}: ${table.ignoredColumns.join(', ')}. Recognised: name, email, company, major, avatar, badge, hidden.`),
      );
    }
    if (table.fileErrors.length > 0) {
      parts.push(
        h(
          'table',
          { class: 'table errors-table', 'aria-label': 'Problems in the file' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Line'), h('th', {}, 'Column'), h('th', {}, 'Problem'))),
          h(
            'tbody',
            {},
            table.fileErrors.map((e) =>
              h('tr', { class: 'bad' }, h('td', { class: 'num' }, e.index === undefined ? '–' : String(e.index)), h('td', {}, e.field || '–'), h('td', {}, e.message)),
            ),
          ),
        ),
      );
    }
    const shown = table.rows.slice(0, MAX_ROWS_SHOWN);
    if (shown.length > 0) {
      parts.push(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'table preview-table', 'aria-label': 'Preview of the import' },
            h(
              'thead',
              {},
              h('tr', {}, ['Line', 'Name', 'E-mail', 'Company', 'Major', 'Badges', 'Hidden', 'Problems'].map((t) => h('th', { scope: 'col' }, t))),
            ),
            h(
              'tbody',
              {},
              shown.map((r) =>
                h(
                  'tr',
                  { class: r.errors.length > 0 ? 'bad' : '', 'data-line': r.line ?? '' },
                  h('td', { class: 'num' }, r.line === null ? `row ${r.row}` : String(r.line)),
                  h('td', {}, r.profile.name ?? ''),
                  h('td', {}, r.profile.email ?? ''),
                  h('td', {}, r.profile.company ?? ''),
                  h('td', {}, r.profile.major ?? ''),
                  h('td', { class: 'mono' }, (r.profile.tags ?? []).join(' ')),
                  h('td', {}, r.profile.hidden ? 'yes' : ''),
                  h(
                    'td',
                    { class: 'problems' },
                    r.errors.length === 0 ? h('span', { class: 'ok-mark', 'aria-label': 'no problems' }, '✓') : h('ul', {}, r.errors.map((e) => h('li', {}, describeFieldError(e)))),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
      if (table.rows.length > shown.length) parts.push(h('p', { class: 'muted' }, `… and ${table.rows.length - shown.length} more rows.`));
    }
    clear(result, parts);
  }

  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    if (!f) return;
    f.text().then(
      (t) => runPreview(t, f.name),
      () => status.error(`Cannot read ${f.name}. Is it a text (CSV) file?`),
    );
  });
  previewBtn.addEventListener('click', () => void busy(previewBtn, () => runPreview(paste.value, 'the pasted text')));

  commitBtn.addEventListener('click', () => {
    const p = preview;
    if (!p) return;
    status.loading('Importing…');
    void busy(commitBtn, async () => {
      try {
        const r = await api.commitImport(event.id, text);
        if (!alive) return;
        status.ok(`Imported ${r.created} attendee${r.created === 1 ? '' : 's'} from ${source}.`);
        clear(result, h('a', { class: 'btn', href: `#/events/${encodeURIComponent(event.id)}/people` }, 'See the attendees →'));
        preview = null;
        fileInput.value = '';
      } catch (e) {
        if (!alive) return;
        if (e instanceof ApiError && e.details.length > 0) showTable(previewTable(p, text, e.details), true);
        else status.error(e);
      }
    }).finally(() => {
      if (preview === null) commitBtn.disabled = true;
    });
  });

  root.append(
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'import-h' },
      h('h2', { id: 'import-h' }, 'Import attendees from a CSV file'),
      h(
        'p',
        { class: 'muted' },
        'UTF-8, header line first. Columns: ',
        h('code', {}, 'name'),
        ' and ',
        h('code', {}, 'email'),
        ' (required), ',
        h('code', {}, 'company'),
        ', ',
        h('code', {}, 'major'),
        ', ',
        h('code', {}, 'avatar'),
        ', ',
        h('code', {}, 'badge'),
        ', ',
        h('code', {}, 'hidden'),
        '. The import adds every row or none.',
      ),
      h(
        'div',
        { class: 'columns' },
        h('div', { class: 'field' }, h('label', { for: 'csv-file' }, 'Choose a file'), fileInput, h('p', { class: 'hint' }, 'The preview appears as soon as the file is chosen.')),
        h('div', { class: 'field' }, h('label', { for: 'csv-paste' }, 'Or paste the rows'), paste, h('div', { class: 'row' }, previewBtn)),
      ),
    ),
    h('section', { class: 'card', 'aria-label': 'Preview' }, h('div', { class: 'row spread' }, status.el, commitBtn), result),
  );
  status.ok('Choose a file or paste rows to see a preview.');
  return () => {
    alive = false;
  };
}
