// Small DOM helpers for the admin screens: element building, a confirmation dialog, status lines.

import { describeError } from '../api/http';

type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;
type Child = Node | string | null | undefined | false;

/** `h('button', { class: 'btn', onclick: fn }, 'Save')`. Attributes `false`/`null` are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') {
      el.addEventListener(k.replace(/^on/, ''), v as EventListener);
    } else if (k === 'value' && 'value' in el) {
      (el as HTMLInputElement).value = String(v);
    } else if (k === 'checked' && el instanceof HTMLInputElement) {
      el.checked = Boolean(v);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el: Element, children: Array<Child | Child[]>): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c);
  }
}

export function clear(el: Element, ...children: Array<Child | Child[]>): void {
  el.replaceChildren();
  append(el, children);
}

let ids = 0;
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}

/** A labelled input; returns the wrapper and the input. */
export function field(
  label: string,
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): { wrap: HTMLElement; error: HTMLElement } {
  if (!input.id) input.id = uid('f');
  const error = h('p', { class: 'field-error', id: `${input.id}-err`, hidden: true, role: 'alert' });
  const hintEl = hint ? h('p', { class: 'hint', id: `${input.id}-hint` }, hint) : null;
  input.setAttribute('aria-describedby', [hintEl ? `${input.id}-hint` : '', `${input.id}-err`].join(' ').trim());
  const wrap = h('div', { class: 'field' }, h('label', { for: input.id }, label), input, hintEl, error);
  return { wrap, error };
}

export function setFieldError(input: HTMLElement, error: HTMLElement, message: string | undefined): void {
  error.textContent = message ?? '';
  error.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/** A line that says what is happening: loading, an error in words, or a success. */
export class StatusLine {
  readonly el = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', hidden: true });

  loading(text = 'Loading…'): void {
    this.show('loading', text);
  }
  error(e: unknown): void {
    this.show('error', typeof e === 'string' ? e : describeError(e));
  }
  ok(text: string): void {
    this.show('ok', text);
  }
  hide(): void {
    this.el.hidden = true;
    this.el.textContent = '';
  }
  private show(kind: string, text: string): void {
    this.el.className = `status status-${kind}`;
    this.el.textContent = text;
    this.el.hidden = false;
  }
}

/** Disables `btn` while `work` runs; the label shows `busy` meanwhile. */
export async function busy<T>(btn: HTMLButtonElement, work: () => Promise<T>, label?: string): Promise<T> {
  const before = btn.textContent;
  btn.disabled = true;
  btn.setAttribute('aria-busy', 'true');
  if (label) btn.textContent = label;
  try {
    return await work();
  } finally {
    btn.disabled = false;
    btn.removeAttribute('aria-busy');
    if (label) btn.textContent = before;
  }
}

/** Runs `work` with `btn` busy; what it throws is said on `status`, so no action fails silently. */
export function attempt(btn: HTMLButtonElement, status: StatusLine, work: () => Promise<void>, label?: string): Promise<void> {
  return busy(
    btn,
    async () => {
      try {
        await work();
      } catch (e) {
        status.error(e);
      }
    },
    label,
  );
}

/** Makes `btn` ask first (for what cannot be undone: danger styling unless said otherwise), then `attempt` `work`. */
export function confirmButton(btn: HTMLButtonElement, status: StatusLine, opts: ConfirmOptions, work: () => Promise<void>): void {
  btn.addEventListener('click', () => {
    void confirmDialog({ danger: true, ...opts }).then((yes) => (yes ? attempt(btn, status, work) : undefined));
  });
}

export interface ConfirmOptions {
  title: string;
  body: string;
  confirm: string;
  danger?: boolean;
}

/** A modal confirmation (Esc or Cancel refuses); resolves true when confirmed. */
export function confirmDialog(opts: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const ok = h('button', { class: opts.danger ? 'btn btn-danger' : 'btn btn-primary', type: 'submit', value: 'ok' }, opts.confirm);
    const cancel = h('button', { class: 'btn', type: 'submit', value: 'cancel' }, 'Cancel');
    const titleId = uid('dlg');
    const dlg = h(
      'dialog',
      { class: 'dialog', 'aria-labelledby': titleId },
      h(
        'form',
        { method: 'dialog' },
        h('h2', { id: titleId }, opts.title),
        h('p', {}, opts.body),
        h('div', { class: 'row end' }, cancel, ok),
      ),
    );
    dlg.addEventListener('close', () => {
      resolve(dlg.returnValue === 'ok');
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
    cancel.focus();
  });
}

/** Saves a Blob as a file through a temporary link. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** Copies text; falls back to selecting it in `input` when the clipboard is not available. */
export async function copyText(text: string, input?: HTMLInputElement | HTMLTextAreaElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (input) {
      input.focus();
      input.select();
    }
    return false;
  }
}

/** A read-only text with its copy button; `what` names it on the button, `label` for screen readers. */
export function copyBox(value: string, what: string, label: string, cls: string, rows: number): HTMLElement[] {
  const text = h('textarea', { class: `mono ${cls}`, readonly: true, rows, 'aria-label': label });
  text.value = value;
  const copyStatus = h('span', { class: 'muted small', 'aria-live': 'polite' });
  const copy = h('button', { class: 'btn btn-small', type: 'button' }, `Copy ${what.toLowerCase()}`);
  copy.addEventListener('click', () => {
    void copyText(value, text).then((ok) => {
      copyStatus.textContent = ok ? 'Copied.' : 'Selected: press Ctrl+C to copy.';
    });
  });
  return [text, h('div', { class: 'row' }, copy, copyStatus)];
}

/** Runs `fn` at most once per `ms` after the last call. */
export function debounce(fn: () => void, ms: number): { call: () => void; cancel: () => void } {
  let t: ReturnType<typeof setTimeout> | null = null;
  return {
    call: () => {
      if (t !== null) clearTimeout(t);
      t = setTimeout(() => {
        t = null;
        fn();
      }, ms);
    },
    cancel: () => {
      if (t !== null) clearTimeout(t);
      t = null;
    },
  };
}
