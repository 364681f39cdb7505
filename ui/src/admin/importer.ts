// CSV import: choose a file or paste, see what the server would create and every problem by line and column, then
// commit all rows or none, or (when only some rows have problems) just the rows without problems.

import type { FieldError } from '../bindings/FieldError';
import type { ImportPreview } from '../bindings/ImportPreview';
import { ApiError } from '../api/http';
import { goodRows, previewTable, describeFieldError, type PreviewTable } from './csv';
import { StatusLine, busy, clear, h } from './dom';
import type { EventCtx } from './context';

const MAX_ROWS_SHOWN = 500;
/** The columns an import reads besides `name` and `email`, as the hint lists them. */
const OPTIONAL_COLUMNS = ['company', 'major', 'avatar', 'badge', 'hidden', 'consent_wall', 'consent_lead'];

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Problems listed by line and column (those of the file as a whole, or the rows an import left out). */
function problemTable(errors: FieldError[], label: string): HTMLElement {
  return h(
    'table',
    { class: 'table errors-table', 'aria-label': label },
    h('thead', {}, h('tr', {}, h('th', {}, 'Line'), h('th', {}, 'Column'), h('th', {}, 'Problem'))),
    h(
      'tbody',
      {},
      errors.map((e) =>
        h('tr', { class: 'bad' }, h('td', { class: 'num' }, e.index === undefined ? '–' : String(e.index)), h('td', {}, e.field || '–'), h('td', {}, e.message)),
      ),
    ),
  );
}

export function renderImport(ctx: EventCtx, root: HTMLElement): () => void {
  const { api, event } = ctx;
  let text = '';
  let source = '';
  let preview: ImportPreview | null = null;
  /** The shown preview can be imported whole. */
  let committable = false;
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
  const skipBtn = h('button', { class: 'btn', type: 'button', hidden: true }, '');

  async function runPreview(t: string, from: string): Promise<void> {
    text = t;
    source = from;
    preview = null;
    committable = false;
    commitBtn.disabled = true;
    skipBtn.hidden = true;
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
    const good = goodRows(table);
    const orSkip = good === null ? '' : ` Or import only the ${plural(good, 'row')} without problems.`;
    skipBtn.hidden = good === null;
    skipBtn.textContent = good === null ? '' : `Import the ${plural(good, 'row')} without problems`;
    if (refused) {
      status.error(`Nothing was imported: ${plural(problems, 'problem')} in ${source}. Fix them and try again.${orSkip}`);
    } else if (problems > 0) {
      status.error(
        table.badRows > 0
          ? `${plural(problems, 'problem')} in ${table.badRows} of ${plural(n, 'row')}: nothing can be imported until they are fixed.${orSkip}`
          : `${plural(problems, 'problem')} in ${source}: nothing can be imported until they are fixed.`,
      );
    } else if (n === 0) {
      status.error('The file has a header line but no attendees.');
    } else {
      status.ok(`${n} attendee${n === 1 ? '' : 's'} ready to import from ${source}.`);
    }
    committable = table.canCommit && !refused;
    commitBtn.disabled = !committable;
    commitBtn.textContent = `Import ${n} attendee${n === 1 ? '' : 's'}`;
    const parts: HTMLElement[] = [];
    if (table.ignoredColumns.length > 0) {
      parts.push(
        h('p', { class: 'note' }, `Ignored column${table.ignoredColumns.length === 1 ? '' : 's'}: ${table.ignoredColumns.join(', ')}. Recognised: ${['name', 'email', ...OPTIONAL_COLUMNS].join(', ')}.`),
      );
    }
    if (table.fileErrors.length > 0) parts.push(problemTable(table.fileErrors, 'Problems in the file'));
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
              h('tr', {}, ['Line', 'Name', 'E-mail', 'Company', 'Major', 'Badges', 'Hidden', 'On wall', 'Lead OK', 'Problems'].map((t) => h('th', { scope: 'col' }, t))),
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
                  h('td', {}, (r.profile.consent?.wall ?? true) ? 'yes' : 'no'),
                  h('td', {}, (r.profile.consent?.lead ?? false) ? 'yes' : 'no'),
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

  /** Sends the file: every row, or with `skipInvalid` the rows without problems. */
  function commit(btn: HTMLButtonElement, skipInvalid: boolean): void {
    const p = preview;
    if (!p) return;
    status.loading('Importing…');
    (btn === commitBtn ? skipBtn : commitBtn).disabled = true;
    void busy(btn, async () => {
      try {
        const r = await api.commitImport(event.id, text, skipInvalid);
        if (!alive) return;
        const imported = `Imported ${plural(r.created, 'attendee')} from ${source}`;
        const people = h('a', { class: 'btn', href: `#/events/${encodeURIComponent(event.id)}/people` }, 'See the attendees →');
        if (r.skipped.length > 0) {
          status.ok(`${imported}; skipped ${plural(r.skipped.length, 'row')} with problems (see the list).`);
          clear(result, problemTable(r.skipped, 'Rows left out'), people);
        } else {
          status.ok(`${imported}.`);
          clear(result, people);
        }
        preview = null;
        fileInput.value = '';
      } catch (e) {
        if (!alive) return;
        if (e instanceof ApiError && e.details.length > 0) showTable(previewTable(p, text, e.details), true);
        else status.error(e);
      }
    }).finally(() => {
      // `busy` re-enabled the button it held: set both as the preview now allows.
      commitBtn.disabled = preview === null || !committable;
      skipBtn.disabled = false;
      if (preview === null) skipBtn.hidden = true;
    });
  }
  commitBtn.addEventListener('click', () => commit(commitBtn, false));
  skipBtn.addEventListener('click', () => commit(skipBtn, true));

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
        ' (required)',
        OPTIONAL_COLUMNS.flatMap((c) => [', ', h('code', {}, c)]),
        '. The import adds every row or none; when only some rows have problems, you can import the others.',
      ),
      h(
        'p',
        { class: 'hint' },
        'Consent: ',
        h('code', {}, 'consent_wall'),
        ' (or show_on_wall) and ',
        h('code', {}, 'consent_lead'),
        ' (or shareable, lead_consent) take yes or no. Left out, attendees are shown on the wall and not shared as leads.',
      ),
      h(
        'div',
        { class: 'columns' },
        h('div', { class: 'field' }, h('label', { for: 'csv-file' }, 'Choose a file'), fileInput, h('p', { class: 'hint' }, 'The preview appears as soon as the file is chosen.')),
        h('div', { class: 'field' }, h('label', { for: 'csv-paste' }, 'Or paste the rows'), paste, h('div', { class: 'row' }, previewBtn)),
      ),
    ),
    h('section', { class: 'card', 'aria-label': 'Preview' }, h('div', { class: 'row spread' }, status.el, h('div', { class: 'row' }, skipBtn, commitBtn)), result),
  );
  status.ok('Choose a file or paste rows to see a preview.');
  return () => {
    alive = false;
  };
}
