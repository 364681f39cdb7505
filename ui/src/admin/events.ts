// Creating an event, editing its settings, exporting its data and deleting it.

import type { Event } from '../bindings/Event';
import type { AdminApi, ExportFile } from './api';
import { StatusLine, attempt, confirmButton, field, h, saveBlob, setFieldError } from './dom';
import {
  SCREEN_LANGUAGES,
  WALL_FEATURE_CHOICES,
  checkEventForm,
  emptyEventForm,
  eventToForm,
  formToCreate,
  formToUpdate,
  type EventForm,
  type FormErrors,
} from './model';
import type { EventCtx } from './context';

interface FormView {
  el: HTMLFormElement;
  status: StatusLine;
}

/**
 * The event form; on submit it checks the fields as the server would, then runs `send` with the button busy and
 * says a refusal on the form's status line.
 */
function eventForm(
  initial: EventForm,
  creating: boolean,
  submitLabel: string,
  sending: string,
  send: (f: EventForm, status: StatusLine) => Promise<void>,
): FormView {
  const id = h('input', { name: 'id', value: initial.id, autocomplete: 'off', spellcheck: 'false', placeholder: 'spring-meetup' });
  const name = h('input', { name: 'name', value: initial.name, required: true, placeholder: 'Spring Meetup' });
  const startsAt = h('input', { name: 'startsAt', type: 'date', value: initial.startsAt });
  const endsAt = h('input', { name: 'endsAt', type: 'date', value: initial.endsAt });
  const publicWall = h('input', { name: 'publicWall', type: 'checkbox', checked: initial.publicWall });
  const initialsOnly = h('input', { name: 'initialsOnly', type: 'checkbox', checked: initial.initialsOnly });
  const joinUrl = h('input', { name: 'joinUrl', type: 'url', value: initial.joinUrl, placeholder: 'https://example.org/join' });
  const language = h(
    'select',
    { name: 'language', id: `language-${creating ? 'new' : 'edit'}` },
    SCREEN_LANGUAGES.map((l) =>
      h('option', { value: l.code, lang: l.code || null, dir: l.code === 'ar' ? 'rtl' : null, selected: l.code === initial.language }, l.label),
    ),
    // A language set some other way (the API) is kept, not silently cleared by the next save.
    SCREEN_LANGUAGES.some((l) => l.code === initial.language) ? null : h('option', { value: initial.language, selected: true }, initial.language),
  );
  const fName = field('Name', name);
  const fId = field('Id (in the wall address)', id, 'Lowercase letters, digits, - or _. Left empty, one is generated.');
  const fStart = field('First day', startsAt);
  const fEnd = field('Last day', endsAt);
  const fJoin = field('Join link (shown on the wall as a QR code)', joinUrl);
  const fLanguage = field('Screen language', language, 'What walls, stations and phone pages are worded in.');
  const status = new StatusLine();
  const submit = h('button', { class: 'btn btn-primary', type: 'submit' }, submitLabel);
  const check = (input: HTMLInputElement, label: string, hint: string) => {
    input.id = `${input.name}-${creating ? 'new' : 'edit'}`;
    return h('div', { class: 'check' }, input, h('label', { for: input.id }, h('strong', {}, label), h('span', { class: 'muted' }, ` ${hint}`)));
  };
  // The wall's features, each one checkbox; saved together as `settings.wall`.
  const wallBoxes = WALL_FEATURE_CHOICES.map((c) => ({
    feature: c.feature,
    input: h('input', { name: `wall-${c.feature}`, type: 'checkbox', checked: initial.wall[c.feature] }),
    c,
  }));
  const wallLegend = `wall-features-${creating ? 'new' : 'edit'}`;
  const wallGroup = h(
    'fieldset',
    { class: 'kinds wall-features', 'aria-labelledby': wallLegend },
    h('legend', { id: wallLegend }, 'Wall features'),
    h('p', { class: 'hint' }, 'What the event’s walls show. A kiosk can still switch each on or off with its key (press ? on the wall).'),
    wallBoxes.map((b) => check(b.input, b.c.label, `— ${b.c.hint} Key ${b.c.key}.`)),
  );
  const el = h(
    'form',
    { class: 'event-form', novalidate: true },
    fName.wrap,
    creating ? fId.wrap : null,
    h('div', { class: 'grid2' }, fStart.wrap, fEnd.wrap),
    check(publicWall, 'Public wall', '— anyone with the link can watch it; otherwise only kiosks with a token.'),
    check(initialsOnly, 'Initials only', '— walls show initials instead of full names.'),
    fJoin.wrap,
    fLanguage.wrap,
    wallGroup,
    status.el,
    h('div', { class: 'row' }, submit),
  );
  const pairs: Array<[keyof EventForm, HTMLInputElement, HTMLElement]> = [
    ['name', name, fName.error],
    ['id', id, fId.error],
    ['startsAt', startsAt, fStart.error],
    ['endsAt', endsAt, fEnd.error],
    ['joinUrl', joinUrl, fJoin.error],
  ];
  const read = (): EventForm => ({
    id: id.value,
    name: name.value,
    startsAt: startsAt.value,
    endsAt: endsAt.value,
    publicWall: publicWall.checked,
    initialsOnly: initialsOnly.checked,
    joinUrl: joinUrl.value,
    language: language.value,
    wall: { ...initial.wall, ...Object.fromEntries(wallBoxes.map((b) => [b.feature, b.input.checked])) },
  });
  const showErrors = (errors: FormErrors): void => {
    let first: HTMLInputElement | null = null;
    for (const [k, input, err] of pairs) {
      setFieldError(input, err, errors[k]);
      if (errors[k] && !first) first = input;
    }
    first?.focus();
  };
  el.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = read();
    const errors = checkEventForm(f, creating);
    showErrors(errors);
    if (Object.keys(errors).length > 0) return;
    status.loading(sending);
    void attempt(submit, status, () => send(f, status));
  });
  return { el, status };
}

export function renderNewEvent(api: AdminApi, root: HTMLElement, created: (e: Event) => void): void {
  const form = eventForm(emptyEventForm(), true, 'Create event', 'Creating…', async (f, status) => {
    const e = await api.createEvent(formToCreate(f));
    status.ok(`Created “${e.name}”.`);
    created(e);
  });
  root.append(
    h('h1', {}, 'New event'),
    h('p', { class: 'muted' }, 'Create the event, then import its attendees and mint tokens for its kiosks and stations.'),
    h('div', { class: 'card narrow' }, form.el),
  );
  form.el.querySelector('input')?.focus();
}

const EXPORTS: Array<{ file: ExportFile; label: string }> = [
  { file: 'people.csv', label: 'People (CSV)' },
  { file: 'people.json', label: 'People (JSON)' },
  { file: 'connections.csv', label: 'Connections (CSV)' },
  { file: 'connections.json', label: 'Connections (JSON)' },
  { file: 'everything.json', label: 'Everything (JSON)' },
];

/** Files for a CRM or a spreadsheet: the server leaves out the contact details of anyone not shared as a lead. */
const LEAD_EXPORTS: Array<{ file: ExportFile; label: string }> = [
  { file: 'hubspot.csv', label: 'HubSpot contacts (CSV)' },
  { file: 'salesforce.csv', label: 'Salesforce leads (CSV)' },
  { file: 'event.xlsx', label: 'Excel workbook (XLSX)' },
];

export function renderSettings(ctx: EventCtx, root: HTMLElement): () => void {
  const { api, event } = ctx;
  const form = eventForm(eventToForm(event), false, 'Save changes', 'Saving…', async (f) => {
    const e = await api.updateEvent(event.id, formToUpdate(f));
    ctx.eventChanged(e, 'Saved. Walls follow the new settings right away.');
  });
  if (ctx.note) form.status.ok(ctx.note);

  const exportStatus = new StatusLine();
  const exportButton = ({ file, label }: { file: ExportFile; label: string }) => {
    const b: HTMLButtonElement = h('button', { class: 'btn', type: 'button', 'data-export': file }, label);
    b.addEventListener('click', () => {
      exportStatus.loading(`Preparing ${file}…`);
      void attempt(b, exportStatus, async () => {
        const d = await api.exportFile(event.id, file);
        saveBlob(d.blob, d.filename);
        exportStatus.ok(`Downloaded ${d.filename} (${formatBytes(d.blob.size)}).`);
      });
    });
    return b;
  };

  const delStatus = new StatusLine();
  const del = h('button', { class: 'btn btn-danger', type: 'button' }, 'Delete this event…');
  const deleting = {
    title: `Delete “${event.name}”?`,
    body: 'This deletes the event with all its attendees, connections, announcements and device tokens. Walls showing it go blank. This cannot be undone; export first if you need the data.',
    confirm: 'Delete event',
  };
  confirmButton(del, delStatus, deleting, async () => {
    delStatus.loading('Deleting…');
    await api.deleteEvent(event.id);
    ctx.eventDeleted();
  });

  root.append(
    h('div', { class: 'columns' },
      h('section', { class: 'card', 'aria-labelledby': 'settings-h' }, h('h2', { id: 'settings-h' }, 'Event settings'), form.el),
      h(
        'div',
        { class: 'stack' },
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'export-h' },
          h('h2', { id: 'export-h' }, 'Export'),
          h('p', { class: 'muted' }, 'Who met whom and the attendee list, with e-mails. Keep these files private.'),
          h('div', { class: 'button-grid' }, EXPORTS.map(exportButton)),
          h('h3', {}, 'For a CRM or a spreadsheet'),
          h('div', { class: 'button-grid' }, LEAD_EXPORTS.map(exportButton)),
          h(
            'p',
            { class: 'hint' },
            'Only attendees who agreed to share their details (“Lead OK” in the attendee list) are included with their contact details.',
          ),
          exportStatus.el,
        ),
        h(
          'section',
          { class: 'card danger-zone', 'aria-labelledby': 'delete-h' },
          h('h2', { id: 'delete-h' }, 'Delete'),
          h('p', { class: 'muted' }, 'Removes the event and everything in it.'),
          del,
          delStatus.el,
        ),
      ),
    ),
  );
  return () => undefined;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
