// The wall's search boxes: a type-ahead over the names as the wall shows them, used alone ("find someone": the
// camera flies to them) and in pairs (the path finder). Plain DOM; the matching itself is graph/match.ts.
// Keys typed here stay here: the wall's feature keys (F, P, ...) must not fire while someone types a name.

import type { WallState } from './state';
import { el } from './panel';
import { shownName } from './names';
import { matchPeople, type Candidate } from './graph/match';
import { t, type MessageKey } from '../i18n';

const MAX_HITS = 7;

/** One search field with its list of matches. */
export class PersonPicker {
  readonly root: HTMLElement;
  readonly input: HTMLInputElement;
  private readonly list: HTMLUListElement;
  private readonly label: HTMLLabelElement;
  private hits: Candidate[] = [];
  private active = 0;
  /** The person picked (Enter or a click). */
  onPick: (id: string) => void = () => {};
  /** Escape in the field. */
  onEscape: () => void = () => {};
  /** Any typing (the tools reset their idle timer). */
  onActivity: () => void = () => {};
  picked: string | null = null;

  constructor(
    private readonly state: WallState,
    private readonly labelKey: MessageKey,
    private readonly placeholderKey: MessageKey,
    cls: string,
  ) {
    this.root = el('div', `gs-picker ${cls}`);
    this.label = el('label', 'gs-label', this.root);
    this.input = el('input', 'gs-input', this.root);
    this.input.type = 'search';
    this.input.autocomplete = 'off';
    this.input.spellcheck = false;
    this.input.dir = 'auto';
    this.input.id = `gs-${cls}-${Math.random().toString(36).slice(2, 8)}`;
    this.label.htmlFor = this.input.id;
    this.input.setAttribute('role', 'combobox');
    this.input.setAttribute('aria-autocomplete', 'list');
    this.input.setAttribute('aria-expanded', 'false');
    this.list = el('ul', 'gs-list', this.root);
    this.list.setAttribute('role', 'listbox');
    this.list.id = `${this.input.id}-list`;
    this.input.setAttribute('aria-controls', this.list.id);
    this.list.hidden = true;
    this.input.addEventListener('input', () => {
      this.picked = null;
      this.refresh();
      this.onActivity();
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('keyup', (e) => e.stopPropagation());
    this.input.addEventListener('keypress', (e) => e.stopPropagation());
    this.input.addEventListener('blur', () => window.setTimeout(() => (this.list.hidden = true), 150));
    this.relabel();
  }

  relabel(): void {
    this.label.textContent = t(this.labelKey);
    this.input.placeholder = t(this.placeholderKey);
    if (!this.list.hidden) this.refresh();
  }

  focus(): void {
    this.input.focus();
    this.input.select();
  }

  clear(): void {
    this.input.value = '';
    this.picked = null;
    this.hits = [];
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
  }

  private candidates(): Iterable<Candidate> {
    const nodes = this.state.nodes.values();
    return {
      *[Symbol.iterator]() {
        for (const n of nodes) yield { id: n.id, name: shownName(n.name, 40), degree: n.degree };
      },
    };
  }

  /** The matches for what is typed now. */
  refresh(): void {
    this.hits = matchPeople(this.input.value, this.candidates(), MAX_HITS);
    this.active = 0;
    this.list.replaceChildren();
    const typed = this.input.value.trim().length > 0;
    if (typed && this.hits.length === 0) {
      el('li', 'gs-none', this.list).textContent = t('wall.graph.search.none');
    }
    this.hits.forEach((h, i) => {
      const li = el('li', 'gs-hit', this.list);
      li.id = `${this.list.id}-${i}`;
      li.setAttribute('role', 'option');
      el('bdi', 'gs-hit-name', li).textContent = h.name;
      el('span', 'gs-hit-count', li).textContent = t('wall.graph.search.links', { count: h.degree });
      li.addEventListener('mousedown', (e) => {
        e.preventDefault();
        this.pick(i);
      });
    });
    this.list.hidden = !typed;
    this.input.setAttribute('aria-expanded', String(typed));
    this.mark();
  }

  private mark(): void {
    Array.from(this.list.children).forEach((li, i) => li.classList.toggle('active', i === this.active && li.classList.contains('gs-hit')));
    if (this.hits.length > 0) this.input.setAttribute('aria-activedescendant', `${this.list.id}-${this.active}`);
    else this.input.removeAttribute('aria-activedescendant');
  }

  private pick(i: number): void {
    const h = this.hits[i];
    if (!h) return;
    this.picked = h.id;
    this.input.value = h.name;
    this.list.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.onPick(h.id);
  }

  private onKey(e: KeyboardEvent): void {
    e.stopPropagation();
    this.onActivity();
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (this.hits.length === 0) return;
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : this.hits.length - 1)) % this.hits.length;
      this.mark();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (this.list.hidden && this.input.value.trim()) this.refresh();
      this.pick(this.active);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.onEscape();
    }
  }
}

/** A floating panel with a title, a close button and content. */
export class ToolPanel {
  readonly root: HTMLElement;
  private readonly title: HTMLElement;
  private readonly close: HTMLButtonElement;
  readonly body: HTMLElement;
  onClose: () => void = () => {};

  constructor(
    cls: string,
    private readonly titleKey: MessageKey,
  ) {
    this.root = el('section', `gs-panel ${cls}`);
    this.root.hidden = true;
    const head = el('div', 'gs-head', this.root);
    this.title = el('h2', 'gs-title', head);
    this.close = el('button', 'gs-close', head);
    this.close.type = 'button';
    this.close.textContent = '×';
    this.close.addEventListener('click', () => this.onClose());
    this.body = el('div', 'gs-body', this.root);
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        this.onClose();
      }
    });
    this.relabel();
  }

  get open(): boolean {
    return !this.root.hidden;
  }

  relabel(): void {
    this.title.textContent = t(this.titleKey);
    this.close.setAttribute('aria-label', t('wall.graph.close'));
    this.root.setAttribute('aria-label', t(this.titleKey));
  }
}
