// The graph tools of the wall: medals, heat and clusters switched on the renderer; "find someone" and "how am I
// connected to ..." panels; the kiosk tour. Everything follows the feature flags (features.ts): a flag turned
// on by its key opens its panel, turned off closes it; the event's settings decide what a wall starts with.
//
// The camera has one owner at a time: a person using a panel, else the tour, else the whole graph.

import type { WallState, WallChange } from '../state';
import type { GraphRenderer } from '../renderer';
import type { Feature, FeatureStore, WallFeatures } from '../features';
import { PersonPicker, ToolPanel } from '../search';
import { el } from '../panel';
import { shownName } from '../names';
import { adjacency, shortestPath } from './path';
import { TourScheduler, type TourPhase } from './tour';
import { onLanguage, t } from '../../i18n';

/** A panel left alone this long closes (a kiosk someone walked away from). */
const IDLE_MS = 60_000;
const FLY_MS = 1200;
const BACK_MS = 1400;

/** What the test hook shows of the graph tools. */
export interface GraphToolsInfo {
  camera: { x: number; y: number; scale: number };
  /** Names of the people highlighted. */
  highlighted: string[];
  /** Names of the medal holders, first first. */
  medals: string[];
  clusters: number;
  tour: TourPhase;
  path: string | null;
  searchOpen: boolean;
  /** Where the person searched for (or the path's first person) is on screen, CSS pixels of the stage. */
  focusOnScreen: { x: number; y: number } | null;
}

export class GraphTools {
  private readonly buttons: HTMLElement;
  private readonly searchButton: HTMLButtonElement;
  private readonly pathButton: HTMLButtonElement;
  private readonly search: ToolPanel;
  private readonly searchPicker: PersonPicker;
  private readonly searchHint: HTMLElement;
  private readonly pathPanel: ToolPanel;
  private readonly from: PersonPicker;
  private readonly to: PersonPicker;
  private readonly chain: HTMLElement;
  private readonly tour = new TourScheduler();
  private tourOn = false;
  private owner: 'user' | 'tour' | null = null;
  private lastActivity = 0;
  private pathDirty = false;
  private lastPath = 0;
  private pathText: string | null = null;
  private primary: string | null = null;
  private readonly stops: Array<() => void> = [];

  constructor(
    stage: HTMLElement,
    private readonly state: WallState,
    private readonly renderer: GraphRenderer,
    private readonly features: FeatureStore,
  ) {
    this.buttons = el('div', 'gs-buttons', stage);
    this.searchButton = el('button', 'gs-button gs-open-search', this.buttons);
    this.pathButton = el('button', 'gs-button gs-open-path', this.buttons);
    this.searchButton.type = this.pathButton.type = 'button';
    this.searchButton.addEventListener('click', () => this.openSearch());
    this.pathButton.addEventListener('click', () => this.openPath());

    this.search = new ToolPanel('gs-search', 'wall.graph.search.label');
    this.searchPicker = new PersonPicker(state, 'wall.graph.search.label', 'wall.graph.search.placeholder', 'gs-find');
    this.search.body.appendChild(this.searchPicker.root);
    this.searchHint = el('p', 'gs-hint', this.search.body);
    this.searchPicker.onPick = (id) => this.showPerson(id);
    this.searchPicker.onEscape = this.search.onClose = () => this.closeSearch();
    stage.appendChild(this.search.root);

    this.pathPanel = new ToolPanel('gs-path', 'wall.graph.path.title');
    this.from = new PersonPicker(state, 'wall.graph.path.from', 'wall.graph.search.placeholder', 'gs-from');
    this.to = new PersonPicker(state, 'wall.graph.path.to', 'wall.graph.search.placeholder', 'gs-to');
    this.pathPanel.body.append(this.from.root, this.to.root);
    this.chain = el('p', 'gs-chain', this.pathPanel.body);
    this.chain.setAttribute('aria-live', 'polite');
    this.chain.hidden = true;
    this.from.onPick = () => (this.to.picked ? this.showPath() : this.to.focus());
    this.to.onPick = () => (this.from.picked ? this.showPath() : this.from.focus());
    this.from.onEscape = this.to.onEscape = this.pathPanel.onClose = () => this.closePath();
    for (const p of [this.searchPicker, this.from, this.to]) p.onActivity = () => (this.lastActivity = performance.now());
    stage.appendChild(this.pathPanel.root);

    this.stops.push(features.subscribe((flags, changed) => this.apply(flags, changed)));
    this.stops.push(state.subscribe((c) => this.onChange(c)));
    this.stops.push(onLanguage(() => this.relabel()));
    renderer.onFrame = (now) => this.tick(now);
    this.relabel();
    this.apply(features.current(), []);
  }

  private relabel(): void {
    this.searchButton.textContent = t('wall.graph.search.open');
    this.pathButton.textContent = t('wall.graph.path.open');
    this.searchHint.textContent = t('wall.graph.search.hint');
    this.buttons.setAttribute('aria-label', t('wall.graph.label'));
    for (const p of [this.search, this.pathPanel]) p.relabel();
    for (const p of [this.searchPicker, this.from, this.to]) p.relabel();
    if (this.from.picked && this.to.picked) this.showPath(false);
  }

  /** Follows the flags: `changed` empty means "as they are now" (at start). */
  private apply(flags: Readonly<WallFeatures>, changed: readonly Feature[]): void {
    this.renderer.setMedals(flags.medals);
    this.renderer.setHeat(flags.heat);
    this.renderer.setClusters(flags.clusters);
    this.searchButton.hidden = !flags.search;
    this.pathButton.hidden = !flags.pathFinder;
    this.buttons.hidden = !flags.search && !flags.pathFinder;
    // Turned on just now (its key): open it; turned off: close it.
    if (changed.includes('search')) flags.search ? this.openSearch() : this.closeSearch();
    if (changed.includes('pathFinder')) flags.pathFinder ? this.openPath() : this.closePath();
    if (flags.tour !== this.tourOn) {
      this.tourOn = flags.tour;
      if (!flags.tour) {
        this.tour.cancel();
        if (this.owner === 'tour') this.release(BACK_MS);
      }
    }
  }

  private onChange(c: WallChange): void {
    if (c.kind === 'link-added' && c.live && this.tourOn) this.tour.push(c.link);
    if ((c.kind === 'link-added' || c.kind === 'link-removed' || c.kind === 'node-removed') && this.from.picked && this.to.picked)
      this.pathDirty = true;
    if (c.kind === 'node-removed' && this.owner === 'user' && this.renderer.highlighted().includes(c.id)) {
      // The person shown was hidden by the organiser: let go of them.
      this.closeSearch();
      this.closePath();
    }
  }

  private get busy(): boolean {
    return this.search.open || this.pathPanel.open;
  }

  /** Clears what the tools drew and sends the camera back to the whole graph. */
  private release(flyMs: number): void {
    this.renderer.setHighlight([], [], false);
    this.renderer.setInsetTop(0);
    this.renderer.focus(null, flyMs);
    this.owner = null;
    this.primary = null;
  }

  private takeCamera(): void {
    if (this.owner === 'tour') this.release(FLY_MS);
    this.owner = 'user';
    this.lastActivity = performance.now();
  }

  openSearch(): void {
    if (!this.features.on('search')) return;
    this.closePath();
    this.takeCamera();
    this.search.root.hidden = false;
    this.searchPicker.focus();
  }

  closeSearch(): void {
    if (!this.search.open) return;
    this.search.root.hidden = true;
    this.searchPicker.clear();
    this.searchPicker.input.blur();
    if (this.owner === 'user') this.release(BACK_MS);
  }

  openPath(): void {
    if (!this.features.on('pathFinder')) return;
    this.closeSearch();
    this.takeCamera();
    this.pathPanel.root.hidden = false;
    (this.from.picked ? this.to : this.from).focus();
  }

  closePath(): void {
    if (!this.pathPanel.open) return;
    this.pathPanel.root.hidden = true;
    this.from.clear();
    this.to.clear();
    this.chain.hidden = true;
    this.pathText = null;
    if (this.owner === 'user') this.release(BACK_MS);
  }

  /** Tells the renderer how much of the screen's top the open panel covers. */
  private inset(): void {
    const panel = this.search.open ? this.search.root : this.pathPanel.open ? this.pathPanel.root : null;
    const stage = panel?.parentElement?.getBoundingClientRect();
    const box = panel?.getBoundingClientRect();
    this.renderer.setInsetTop(panel && stage && box ? box.bottom - stage.top + 12 : 0);
  }

  /** Flies to a person and lights them and their links. */
  private showPerson(id: string): void {
    const ids = [id];
    const links: Array<[string, string]> = [];
    for (const l of this.state.links.values()) {
      if (l.source === id) ids.push(l.target), links.push([id, l.target]);
      else if (l.target === id) ids.push(l.source), links.push([id, l.source]);
    }
    this.owner = 'user';
    this.primary = id;
    this.inset();
    this.renderer.setHighlight(ids, links, true, [id]);
    const r = 7 + 3.2 * Math.sqrt(this.state.nodes.get(id)?.degree ?? 0);
    // Close enough that the person is big on screen, their neighbours round them.
    this.renderer.focus([id], FLY_MS, Math.min(3, 44 / r), 0.3);
  }

  /** Finds and shows the shortest chain between the two people picked. */
  private showPath(fly = true): void {
    const a = this.from.picked;
    const b = this.to.picked;
    if (!a || !b) return;
    this.lastPath = performance.now();
    this.pathDirty = false;
    const chain = a === b ? [a] : shortestPath(adjacency(this.state.links.values()), a, b);
    this.chain.hidden = false;
    this.chain.replaceChildren();
    this.owner = 'user';
    this.primary = a;
    this.inset();
    if (a === b) {
      this.pathText = t('wall.graph.path.same');
      this.chain.textContent = this.pathText;
    } else if (!chain) {
      this.pathText = t('wall.graph.path.none');
      this.chain.textContent = this.pathText;
      this.chain.classList.add('gs-chain-none');
      this.renderer.setHighlight([a, b], [], true, [a, b]);
      if (fly) this.renderer.focus([a, b], FLY_MS, 2.2, 0.16);
      return;
    }
    this.chain.classList.remove('gs-chain-none');
    const names = (chain ?? [a]).map((id) => shownName(this.state.nodes.get(id)?.name ?? '', 32));
    this.pathText = names.join(' → ');
    const line = el('span', 'gs-chain-line', this.chain);
    names.forEach((n, i) => {
      if (i > 0) el('span', 'gs-chain-arrow', line).textContent = ' → ';
      el('bdi', 'gs-chain-name', line).textContent = n;
    });
    if (chain && chain.length > 1) el('span', 'gs-chain-steps', this.chain).textContent = t('wall.graph.path.steps', { count: chain.length - 1 });
    const ids = chain ?? [a];
    const links: Array<[string, string]> = [];
    for (let i = 1; i < ids.length; i++) links.push([ids[i - 1] ?? '', ids[i] ?? '']);
    this.renderer.setHighlight(ids, links, true, [a, b]);
    if (fly) this.renderer.focus(ids, FLY_MS, 2.2, 0.16);
  }

  private tick(now: number): void {
    if (this.busy && now - this.lastActivity > IDLE_MS && document.activeElement?.closest('.gs-panel') == null) {
      this.closeSearch();
      this.closePath();
    }
    if (this.pathDirty && now - this.lastPath > 1000) this.showPath(false);
    if (!this.tourOn) return;
    const step = this.tour.tick(now, this.busy);
    if (!step.changed || this.busy) return;
    if (step.focus) {
      const { source, target } = step.focus;
      this.owner = 'tour';
      this.renderer.setHighlight([source, target], [[source, target]], false, [source, target]);
      this.renderer.focus([source, target], step.flightMs, 3.2, 0.22);
    } else if (this.owner === 'tour') {
      this.release(step.flightMs);
    }
  }

  info(): GraphToolsInfo {
    return {
      camera: this.renderer.camera(),
      highlighted: this.renderer.highlighted().map((id) => this.state.nodes.get(id)?.name ?? id),
      medals: this.renderer.medals().map((id) => this.state.nodes.get(id)?.name ?? id),
      clusters: this.renderer.clusterCount,
      tour: this.tour.current,
      path: this.pathText,
      searchOpen: this.search.open,
      focusOnScreen: this.primary === null ? null : this.renderer.screenPosition(this.primary),
    };
  }

  destroy(): void {
    for (const s of this.stops) s();
    this.renderer.onFrame = null;
    this.buttons.remove();
    this.search.root.remove();
    this.pathPanel.root.remove();
  }
}
