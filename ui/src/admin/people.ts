// Attendees: search, add a walk-in, edit, hide or unhide, delete, and bind badges (with the app's reader, or a
// typed UID). Writing a badge never overwrites someone else's badge or another link unless the organiser says so.

import type { ConsentPatch } from '../bindings/ConsentPatch';
import type { Profile } from '../bindings/Profile';
import type { UpdateProfile } from '../bindings/UpdateProfile';
import { ApiError, describeError } from '../api/http';
import { badgeUrl, type BadgeReader } from './backend';
import { describeFieldError } from './csv';
import { StatusLine, attempt, busy, clear, confirmButton, confirmDialog, debounce, field, h, setFieldError, uid } from './dom';
import {
  NO_BADGE_UID,
  boundBadge,
  looksLikeEmail,
  placeWalkInRefusal,
  planBadge,
  walkInProfile,
  type WalkInErrors,
  type WalkInForm,
} from './model';
import { consentNote, consentSaved } from './integrations';
import type { EventCtx } from './context';

const PAGE = 50;
const READER_TIMEOUT_MS = 30_000;

export function renderPeople(ctx: EventCtx, root: HTMLElement): () => void {
  const { api, event } = ctx;
  let q = '';
  let offset = 0;
  let total = 0;
  let items: Profile[] = [];
  let alive = true;
  let seq = 0;

  const search = h('input', { type: 'search', id: 'people-search', placeholder: 'Name, e-mail, company or badge', autocomplete: 'off' });
  // `status` says how the list loads; `done` says what the last action did.
  const status = new StatusLine();
  const done = new StatusLine();
  const body = h('tbody', {});
  const count = h('p', { class: 'muted', 'aria-live': 'polite' });
  const prev = h('button', { class: 'btn btn-small', type: 'button' }, '← Previous');
  const next = h('button', { class: 'btn btn-small', type: 'button' }, 'Next →');

  async function load(): Promise<void> {
    const mine = ++seq;
    status.loading();
    try {
      const page = await api.profiles(event.id, q, offset, PAGE);
      if (!alive || mine !== seq) return;
      items = page.items;
      total = page.total;
      if (items.length === 0 && offset > 0 && total > 0) {
        offset = Math.max(0, Math.floor((total - 1) / PAGE) * PAGE);
        void load();
        return;
      }
      status.hide();
      draw();
    } catch (e) {
      if (!alive || mine !== seq) return;
      status.error(e);
    }
  }

  function draw(): void {
    const from = total === 0 ? 0 : offset + 1;
    const to = offset + items.length;
    count.textContent =
      total === 0
        ? q
          ? `Nobody matches “${q}”.`
          : 'No attendees yet. Import a CSV file, or add them one by one above.'
        : `${from}–${to} of ${total}${q ? ` matching “${q}”` : ''}`;
    prev.disabled = offset === 0;
    next.disabled = offset + items.length >= total;
    clear(body, items.map(row));
  }

  function row(p: Profile): HTMLTableRowElement {
    // Each row's buttons say whom they act on (a screen reader lists "Hide Ada Lovelace", not ten "Hide").
    const hideBtn = h('button', { class: 'btn btn-small', type: 'button', 'aria-label': `${p.hidden ? 'Unhide' : 'Hide'} ${p.name}` }, p.hidden ? 'Unhide' : 'Hide');
    hideBtn.addEventListener('click', () => {
      void attempt(hideBtn, done, async () => {
        await api.updateProfile(event.id, p.id, { hidden: !p.hidden });
        done.ok(p.hidden ? `${p.name} is visible again.` : `${p.name} is hidden: they left every wall.`);
        await load();
      });
    });
    const delBtn = h('button', { class: 'btn btn-small btn-danger-ghost', type: 'button', 'aria-label': `Delete ${p.name}` }, 'Delete');
    const deleting = {
      title: `Delete ${p.name}?`,
      body: `${p.name} (${p.email}) and all their connections are removed; every wall updates at once. This cannot be undone.`,
      confirm: 'Delete',
    };
    confirmButton(delBtn, done, deleting, async () => {
      await api.deleteProfile(event.id, p.id);
      done.ok(`${p.name} was deleted.`);
      await load();
    });
    const editBtn = h('button', { class: 'btn btn-small', type: 'button', 'aria-label': `Edit & badges of ${p.name}` }, 'Edit & badges');
    editBtn.addEventListener('click', () => editDialog(p));
    return h(
      'tr',
      { class: p.hidden ? 'is-hidden' : '', 'data-id': p.id },
      h('td', {}, h('span', { class: 'person-name' }, p.name), p.hidden ? h('span', { class: 'pill pill-muted' }, 'hidden') : null),
      h('td', {}, p.email),
      h('td', {}, [p.company, p.major].filter((x): x is string => !!x).join(' · ')),
      h('td', { class: 'mono' }, p.tags.length ? p.tags.join(' ') : h('span', { class: 'muted' }, 'none')),
      h('td', {}, yesNo(p.consent.wall, 'wall')),
      h('td', {}, yesNo(p.consent.lead, 'lead')),
      h('td', { class: 'actions' }, editBtn, hideBtn, delBtn),
    );
  }

  /** Someone who registers at the door: one profile, then shown in the list with "Edit & badges" at hand. */
  function walkInCard(): HTMLElement {
    const inputs: Record<keyof WalkInForm, HTMLInputElement> = {
      name: h('input', { autocomplete: 'off', required: true, maxlength: 200 }),
      email: h('input', { type: 'email', autocomplete: 'off', required: true }),
      company: h('input', { autocomplete: 'off' }),
      major: h('input', { autocomplete: 'off' }),
      badge: h('input', { class: 'mono', placeholder: '04A1B2C3D4E5F6', autocomplete: 'off', spellcheck: 'false' }),
    };
    const fields = {
      name: field('Name', inputs.name),
      email: field('E-mail', inputs.email),
      company: field('Company', inputs.company),
      major: field('Major', inputs.major),
      badge: field('Badge UID (optional)', inputs.badge, 'Type it or scan it with a USB reader, or bind a badge afterwards with “Edit & badges”.'),
    };
    const keys = Object.keys(inputs) as Array<keyof WalkInForm>;
    const showErrors = (errors: WalkInErrors): void => {
      for (const k of keys) setFieldError(inputs[k], fields[k].error, errors[k]);
      const first = keys.find((k) => errors[k]);
      if (first) inputs[first].focus();
    };
    const added = new StatusLine();
    const add = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Add attendee');
    const form = h(
      'form',
      { class: 'walkin-form', novalidate: true },
      h('div', { class: 'grid2' }, fields.name.wrap, fields.email.wrap, fields.company.wrap, fields.major.wrap),
      fields.badge.wrap,
      added.el,
      h('div', { class: 'row' }, add),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const checked = walkInProfile({
        name: inputs.name.value,
        email: inputs.email.value,
        company: inputs.company.value,
        major: inputs.major.value,
        badge: inputs.badge.value,
      });
      if (!checked.ok) {
        showErrors(checked.errors);
        return;
      }
      showErrors({});
      added.loading('Adding…');
      void busy(add, async () => {
        try {
          const created = await api.createProfile(event.id, checked.profile);
          const badge = created.tags.length > 0 ? ` with badge ${created.tags.join(', ')}` : '';
          added.ok(`${created.name} was added${badge}. They are shown in the list below.`);
          form.reset();
          search.value = created.email;
          q = created.email;
          offset = 0;
          await load();
        } catch (e) {
          // A refusal (409: the e-mail or badge is taken; 422: a check failed) goes next to the field it is about.
          const refused = e instanceof ApiError && (e.status === 409 || e.status === 422);
          const placed = refused ? placeWalkInRefusal(e.details, e.message) : { fields: {}, other: [] };
          showErrors(placed.fields);
          if (placed.other.length > 0) added.error(placed.other.map(describeFieldError).join(' '));
          else if (Object.keys(placed.fields).length > 0) added.error('Nobody was added: fix the fields marked above.');
          else added.error(e);
        }
      });
    });
    return h('details', { class: 'card walkin' }, h('summary', {}, 'Add a walk-in attendee'), form);
  }

  function editDialog(initial: Profile): void {
    let p = initial;
    const name = h('input', { value: p.name, required: true });
    const email = h('input', { type: 'email', value: p.email, required: true });
    const company = h('input', { value: p.company ?? '' });
    const major = h('input', { value: p.major ?? '' });
    const avatar = h('input', { type: 'url', value: p.avatar ?? '', placeholder: 'https://…/photo.jpg' });
    const fName = field('Name', name);
    const fEmail = field('E-mail', email);
    const saveStatus = new StatusLine();
    const save = h('button', { class: 'btn btn-primary', type: 'submit' }, 'Save');
    const closeBtn = h('button', { class: 'btn', type: 'button' }, 'Close');

    const badgeStatus = new StatusLine();
    const badgeList = h('ul', { class: 'badge-list' });
    const uidInput = h('input', { id: uid('uid'), class: 'mono', placeholder: '04A1B2C3D4E5F6', autocomplete: 'off', spellcheck: 'false' });
    const uidErr = h('p', { class: 'field-error', hidden: true, role: 'alert' });
    const addUid = h('button', { class: 'btn', type: 'button' }, 'Bind badge');

    /**
     * Saves the badge list; the server's answer (UIDs normalised, repeats dropped) becomes `p`. False when refused:
     * a typed UID the server does not take (422) is explained at its field, anything else on the status line.
     */
    async function saveTags(tags: string[], typed = false): Promise<boolean> {
      badgeStatus.loading('Saving badges…');
      try {
        p = await api.updateProfile(event.id, p.id, { tags });
        drawBadges();
        void load();
        return true;
      } catch (e) {
        const atField = typed && e instanceof ApiError && e.status === 422 ? placeWalkInRefusal(e.details, e.message).fields.badge : undefined;
        if (atField) {
          badgeStatus.hide();
          setFieldError(uidInput, uidErr, atField);
        } else {
          // A badge bound to someone else answers 409 naming them.
          badgeStatus.error(e);
        }
        return false;
      }
    }

    /** Binds the badge `raw` as typed or read (the server reads the UID); "already theirs" is what the server answers. */
    async function bind(raw: string, how: string, typed = false): Promise<boolean> {
      const before = p.tags;
      if (!(await saveTags([...before, raw], typed))) return false;
      const added = boundBadge(before, p.tags);
      badgeStatus.ok(added === null ? `Badge ${raw} is already ${p.name}’s.` : `Badge ${added} ${how} and bound to ${p.name}.`);
      return true;
    }

    function drawBadges(): void {
      clear(
        badgeList,
        p.tags.length === 0
          ? h('li', { class: 'muted' }, 'No badge yet.')
          : p.tags.map((t) => {
              const rm = h('button', { class: 'btn btn-small btn-danger-ghost', type: 'button', 'aria-label': `Unbind badge ${t}` }, 'Unbind');
              rm.addEventListener('click', () => {
                void busy(rm, async () => {
                  if (await saveTags(p.tags.filter((x) => x !== t))) badgeStatus.ok(`Badge ${t} unbound.`);
                });
              });
              return h('li', {}, h('span', { class: 'mono' }, t), rm);
            }),
      );
    }
    drawBadges();

    addUid.addEventListener('click', () => {
      const raw = uidInput.value.trim();
      // Nothing typed is refused here; whether the text is a UID is the server's to say.
      setFieldError(uidInput, uidErr, raw ? undefined : NO_BADGE_UID);
      if (!raw) return;
      void busy(addUid, async () => {
        if (await bind(raw, 'typed', true)) uidInput.value = '';
      });
    });
    uidInput.addEventListener('keydown', (ev) => {
      // A keyboard-wedge reader types the UID and presses Enter.
      if (ev.key === 'Enter') {
        ev.preventDefault();
        addUid.click();
      }
    });

    /** Unbinds the badge `badgeUid` from the person `ownerId`, so it can be bound to this one. */
    async function takeFrom(ownerId: string, badgeUid: string): Promise<void> {
      const owner = await api.profile(event.id, ownerId);
      await api.updateProfile(event.id, ownerId, { tags: owner.tags.filter((t) => t !== badgeUid) });
    }

    /**
     * Reads the badge on the reader, checks on the server who wears it, and writes this person's link onto it: at
     * once when it is blank, only after "Replace it" when it is someone else's or holds another link.
     */
    async function enrol(reader: BadgeReader): Promise<void> {
      try {
        const url = badgeUrl(await badgeLink);
        const tapped = await reader.waitBadge(READER_TIMEOUT_MS);
        badgeStatus.loading('Checking the badge…');
        const plan = planBadge(tapped.uri, await api.personByBadge(event.id, tapped.uid), p, url);
        if (plan.kind === 'bind') {
          await bind(tapped.uid, 'read (it already holds this link)');
          return;
        }
        if (plan.kind === 'ask') {
          const loses = plan.owner ? ` ${plan.owner.name} will no longer have it.` : '';
          const yes = await confirmDialog({
            title: 'Replace what is on this badge?',
            body: `${plan.reasons.join(' ')} Replace it with ${p.name}’s link?${loses} Keep the badge on the reader.`,
            confirm: 'Replace it',
            danger: true,
          });
          if (!yes) {
            badgeStatus.ok('Nothing was written: the badge is as it was.');
            return;
          }
        }
        badgeStatus.loading('Writing the badge… keep it on the reader.');
        const written = await reader.writeBadge(url, READER_TIMEOUT_MS, tapped.uid, plan.kind === 'ask');
        if (plan.kind === 'ask' && plan.owner) await takeFrom(plan.owner.id, written.uid);
        await bind(written.uid, 'written');
      } catch (e) {
        badgeStatus.error(describeError(e));
      }
    }

    /**
     * What the attendee agreed to, saved as soon as a box changes (as the badges are): being shown on the wall,
     * and being shared as a lead. A refused change puts the box back.
     */
    function consentSection(): HTMLElement {
      const consentStatus = new StatusLine();
      const note = h('p', { class: 'hint' }, consentNote(p.consent));
      const box = (flag: keyof ConsentPatch, label: string, hint: string): HTMLElement => {
        const input = h('input', { type: 'checkbox', id: uid(`consent-${flag}`), checked: p.consent[flag] });
        input.addEventListener('change', () => {
          const want = input.checked;
          input.disabled = true;
          consentStatus.loading('Saving…');
          api
            .updateProfile(event.id, p.id, { consent: { [flag]: want } })
            .then((saved) => {
              p = saved;
              input.checked = saved.consent[flag];
              note.textContent = consentNote(saved.consent);
              consentStatus.ok(consentSaved(flag, saved.consent[flag], saved.name));
              void load();
            })
            .catch((e: unknown) => {
              input.checked = !want;
              consentStatus.error(e);
            })
            .finally(() => {
              input.disabled = false;
            });
        });
        return h('div', { class: 'check' }, input, h('label', { for: input.id }, h('strong', {}, label), h('span', { class: 'muted' }, ` — ${hint}`)));
      };
      return h(
        'section',
        { class: 'consent', 'aria-label': 'Consent' },
        h('h3', {}, 'Consent'),
        box('wall', 'Show on the wall', 'name, photo and links on walls and phone pages; off takes them off every wall at once.'),
        box('lead', 'Share as a lead', 'contact details may leave the event in CRM exports and webhooks.'),
        note,
        consentStatus.el,
      );
    }

    // The badge's link comes from the server, which holds the key it carries.
    const badgeLink = api.badgeLink(event.id, p.id);
    const linkCode = h('code', { class: 'select-all' }, '…');
    badgeLink.then(
      (l) => {
        linkCode.textContent = badgeUrl(l);
      },
      (e: unknown) => {
        linkCode.textContent = describeError(e);
      },
    );
    const reader = ctx.reader;
    const readerTools: HTMLElement[] = [];
    if (reader) {
      const tap = h('button', { class: 'btn btn-primary', type: 'button' }, 'Tap a badge on the reader');
      tap.addEventListener('click', () => {
        badgeStatus.loading('Hold the badge on the reader…');
        void attempt(
          tap,
          badgeStatus,
          async () => {
            const b = await reader.waitBadge(READER_TIMEOUT_MS);
            await bind(b.uid, 'read');
          },
          'Waiting for a badge…',
        );
      });
      const write = h('button', { class: 'btn', type: 'button' }, 'Write a blank badge');
      write.addEventListener('click', () => {
        badgeStatus.loading('Hold a blank badge on the reader…');
        void busy(write, () => enrol(reader), 'Waiting for a blank badge…');
      });
      readerTools.push(h('div', { class: 'row' }, tap, write));
    }

    const consent = consentSection();

    const titleId = uid('dlg');
    const form = h(
      'form',
      { class: 'edit-form', novalidate: true },
      h('div', { class: 'grid2' }, fName.wrap, fEmail.wrap, field('Company', company).wrap, field('Major', major).wrap),
      field('Photo URL', avatar).wrap,
      saveStatus.el,
      h('div', { class: 'row' }, save),
    );
    const dlg = h(
      'dialog',
      { class: 'dialog wide', 'aria-labelledby': titleId },
      h('div', { class: 'row spread' }, h('h2', { id: titleId }, p.name), closeBtn),
      form,
      consent,
      h(
        'section',
        { class: 'badges', 'aria-label': 'Badges' },
        h('h3', {}, 'Badges'),
        badgeList,
        badgeStatus.el,
        readerTools,
        h(
          'div',
          { class: 'field' },
          h('label', { for: uidInput.id }, reader ? 'Or type a badge UID' : 'Badge UID (type it, or scan with a USB reader into this field)'),
          h('div', { class: 'row' }, uidInput, addUid),
          uidErr,
        ),
        h('p', { class: 'hint' }, 'Badge link for writing by another tool: ', linkCode),
      ),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const nm = name.value.trim();
      const em = email.value.trim();
      setFieldError(name, fName.error, nm ? undefined : 'A name is needed.');
      setFieldError(email, fEmail.error, looksLikeEmail(em) ? undefined : 'Use an e-mail like ada@example.org.');
      if (!nm || !looksLikeEmail(em)) return;
      const opt = (v: string) => (v.trim() ? v.trim() : null);
      const change: UpdateProfile = { name: nm, email: em, company: opt(company.value), major: opt(major.value), avatar: opt(avatar.value) };
      saveStatus.loading('Saving…');
      void attempt(save, saveStatus, async () => {
        p = await api.updateProfile(event.id, p.id, change);
        saveStatus.ok('Saved.');
        void load();
      });
    });
    closeBtn.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => dlg.remove());
    document.body.append(dlg);
    dlg.showModal();
    (reader ? name : uidInput).focus();
  }

  const reload = debounce(() => void load(), 250);
  search.addEventListener('input', () => {
    q = search.value;
    offset = 0;
    reload.call();
  });
  prev.addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE);
    void load();
  });
  next.addEventListener('click', () => {
    offset += PAGE;
    void load();
  });
  // Someone joined, was edited or left elsewhere (another admin, an import): refresh.
  const liveRefresh = debounce(() => void load(), 800);
  const off = ctx.live.on((m) => {
    if (m.type === 'node' || m.type === 'subscribed') liveRefresh.call();
  });

  root.append(
    walkInCard(),
    h(
      'section',
      { class: 'card' },
      h(
        'div',
        { class: 'row spread' },
        h('div', { class: 'field grow' }, h('label', { for: 'people-search' }, 'Search attendees'), search),
        h('a', { class: 'btn', href: `#/events/${encodeURIComponent(event.id)}/import` }, 'Import CSV…'),
      ),
      status.el,
      done.el,
      count,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table people-table', 'aria-label': 'Attendees' },
          h('thead', {}, h('tr', {}, ['Name', 'E-mail', 'Company · major', 'Badges', 'On wall', 'Lead OK', ''].map((t) => h('th', { scope: 'col' }, t)))),
          body,
        ),
      ),
      h('div', { class: 'row end' }, prev, next),
    ),
  );
  void load();
  return () => {
    alive = false;
    off();
    reload.cancel();
    liveRefresh.cancel();
    document.querySelectorAll('dialog').forEach((d) => d.close());
  };
}

/** A consent cell of the list: Yes or No, marked for styling and tests. */
function yesNo(yes: boolean, flag: keyof ConsentPatch): HTMLElement {
  return h('span', { class: yes ? 'consent-mark consent-yes' : 'consent-mark consent-no', 'data-consent': flag, 'data-value': yes ? 'yes' : 'no' }, yes ? 'Yes' : 'No');
}
