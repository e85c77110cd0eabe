/**
 * What sits on the graph canvas: the toolbar (zoom, fit, full screen, layout, expand, hide, prune,
 * undo, the node list), the label legend (click a label to hide or show its nodes), the layout
 * progress, and the keyboard route into the graph: the canvas takes focus (arrow keys pan, + and −
 * zoom, 0 fits, E expands, Delete hides, Ctrl+Z undoes, L opens the list), and the node list is a
 * filterable listbox of the nodes in view (arrow keys, Enter selects). All text in English and
 * Chinese (messages.ts), re-rendered when the language changes.
 */
import { clear, h } from '../dom.ts';
import { onLocaleChange } from '../i18n.ts';
import { LAYOUTS, type LayoutName } from './layout-protocol.ts';
import { t } from './messages.ts';
import { colourOf } from './palette.ts';
import type { GraphView } from './view.ts';

const LIST_MAX = 200;

/** Toolbar icons as inline SVG paths (24×24): no icon font, nothing the CSP would block. */
const ICONS = {
  zoomIn: 'M11 4v14M4 11h14',
  zoomOut: 'M4 11h14',
  fit: 'M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5',
  fullscreen: 'M3 8V3h5M16 3h5v5M21 16v5h-5M8 21H3v-5M8 8h8v8H8z',
  exitFullscreen: 'M8 3v5H3M21 8h-5V3M16 21v-5h5M3 16h5v5',
  undo: 'M9 14L4 9l5-5M4 9h11a5 5 0 0 1 0 10h-3',
} as const;

function icon(name: keyof typeof ICONS): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

export class GraphControls {
  readonly toolbar = h('div', { class: 'graph-toolbar', role: 'toolbar', data: { testid: 'graph-toolbar' } });
  readonly legend = h('div', { class: 'graph-legend', data: { testid: 'graph-legend' } });
  readonly progress = h('div', { class: 'graph-progress', hidden: true, role: 'status', data: { testid: 'layout-progress' } });
  readonly list = h('div', { class: 'graph-list', hidden: true, data: { testid: 'node-list' } });
  private readonly filter = h('input', { type: 'search', data: { testid: 'node-filter' } });
  private readonly options = h('ul', { role: 'listbox', id: 'graph-node-options', data: { testid: 'node-options' } });
  private active = 0;
  private shown: string[] = [];
  private legendKey = '';

  constructor(private readonly view: GraphView, private readonly wrap: HTMLElement) {
    const canvas = view.container;
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'application');
    canvas.addEventListener('keydown', (ev) => this.canvasKey(ev));
    this.filter.autocomplete = 'off';
    this.filter.setAttribute('role', 'combobox');
    this.filter.setAttribute('aria-controls', 'graph-node-options');
    this.filter.setAttribute('aria-expanded', 'true');
    this.filter.setAttribute('aria-autocomplete', 'list');
    this.filter.addEventListener('input', () => {
      this.active = 0;
      this.renderList();
    });
    this.filter.addEventListener('keydown', (ev) => this.listKey(ev));
    this.list.append(this.filter, this.options);
    wrap.append(this.toolbar, this.legend, this.progress, this.list);
    view.subscribe(() => this.render());
    view.reservedAreas = () => {
      const origin = canvas.getBoundingClientRect();
      const parts = [...this.toolbar.children, this.legend, this.progress, this.list].filter((el) => !(el as HTMLElement).hidden);
      return parts.map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.left - origin.left - 2, y: r.top - origin.top - 2, w: r.width + 4, h: r.height + 4 };
      }).filter((r) => r.w > 4 && r.h > 4);
    };
    view.layouts.onProgress = (done, total, running) => this.renderProgress(done, total, running);
    document.addEventListener('fullscreenchange', () => this.renderToolbar());
    onLocaleChange(() => {
      this.buildToolbar();
      this.render();
    });
    this.buildToolbar();
    this.render();
  }

  /** Re-renders everything (after a change of nodes, labels or language). */
  render(): void {
    this.renderToolbar();
    this.legendKey = '';
    this.renderLegend();
    if (!this.list.hidden) this.renderList();
    this.renderProgress(this.view.layouts.done, this.view.layouts.total, this.view.layouts.running);
    this.view.container.setAttribute('aria-label', t('canvas', this.view.nodeCount, this.view.graph.size));
  }

  private readonly buttons = new Map<string, HTMLButtonElement>();
  private layoutSelect: HTMLSelectElement | null = null;

  /** Builds the toolbar (once per language); its buttons stay, so focus stays on them after an action. */
  private buildToolbar(): void {
    const v = this.view;
    const button = (testid: string, label: string | SVGSVGElement, action: () => void) => {
      const b: HTMLButtonElement = h('button', { type: 'button', data: { testid }, onclick: () => {
        action();
        // A button the action disabled (Hide, Undo) would drop focus to the page: keep it in the graph.
        if (b.disabled) this.view.container.focus();
      } });
      b.append(label);
      this.buttons.set(testid, b);
      return b;
    };
    const layout = h('select', { title: t('layout'), aria: { label: t('layout') }, data: { testid: 'layout-choice' } },
      ...LAYOUTS.map((name) => h('option', { value: name }, t(({ force: 'layoutForce', radial: 'layoutRadial', grouped: 'layoutGrouped', circle: 'layoutCircle' } as const)[name]))));
    layout.addEventListener('change', () => void v.layout(layout.value as LayoutName));
    this.layoutSelect = layout;
    const selected = () => v.selection;
    clear(this.toolbar,
      h('div', { class: 'group' },
        button('zoom-in', icon('zoomIn'), () => v.zoom(1.5)),
        button('zoom-out', icon('zoomOut'), () => v.zoom(1 / 1.5)),
        button('fit', icon('fit'), () => v.resetCamera()),
        button('fullscreen', icon('fullscreen'), () => void this.toggleFullscreen())),
      layout,
      h('div', { class: 'group' },
        button('graph-expand', t('expandShort'), () => { const id = selected(); if (id) v.onExpand?.(id); }),
        button('graph-hide', t('hideShort'), () => { const id = selected(); if (id) v.hide([id]); }),
        button('graph-prune', t('pruneShort'), () => v.prune()),
        button('graph-undo', icon('undo'), () => v.undo())),
      button('node-list-button', t('nodes'), () => this.toggleList()));
  }

  private renderToolbar(): void {
    const v = this.view;
    const set = (testid: string, title: string, disabled = false, pressed?: boolean) => {
      const b = this.buttons.get(testid)!;
      b.title = title;
      b.setAttribute('aria-label', title);
      b.disabled = disabled;
      if (pressed !== undefined) b.setAttribute('aria-pressed', String(pressed));
    };
    const full = document.fullscreenElement === this.wrap;
    const selected = v.selection !== null;
    set('zoom-in', t('zoomIn'));
    set('zoom-out', t('zoomOut'));
    set('fit', t('fit'));
    set('fullscreen', full ? t('exitFullscreen') : t('fullscreen'), false, full);
    this.buttons.get('fullscreen')!.replaceChildren(icon(full ? 'exitFullscreen' : 'fullscreen'));
    set('graph-expand', selected ? t('expand') : t('selectFirst'), !selected);
    set('graph-hide', selected ? t('hide') : t('selectFirst'), !selected);
    set('graph-prune', t('prune'), v.nodeCount === 0);
    set('graph-undo', v.canUndo ? t('undo') : t('nothingToUndo'), !v.canUndo);
    set('node-list-button', t('nodeList'), false, !this.list.hidden);
    if (this.layoutSelect) this.layoutSelect.value = v.layoutName;
  }

  private async toggleFullscreen(): Promise<void> {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await this.wrap.requestFullscreen().catch(() => undefined);
  }

  /** The labels in view with their colours; clicking one hides or shows its nodes. Rebuilt only when they change. */
  renderLegend(): void {
    const labels = [...this.view.labels()].sort((a, b) => b[1] - a[1]);
    const key = JSON.stringify([labels, [...this.view.hiddenLabels]]);
    if (key === this.legendKey) return;
    this.legendKey = key;
    this.legend.hidden = labels.length === 0;
    clear(this.legend, h('span', { class: 'sr-only' }, t('legend')),
      ...labels.map(([label, count]) => {
        const hidden = this.view.hiddenLabels.has(label);
        const dot = h('span', { class: 'dot' });
        dot.style.backgroundColor = colourOf(label); // CSSOM: the CSP allows no inline style attributes
        const b = h('button', { type: 'button', class: 'legend-item', title: t('legendToggle', label, hidden), data: { testid: 'legend-item', label }, onclick: () => {
          if (hidden) this.view.hiddenLabels.delete(label);
          else this.view.hiddenLabels.add(label);
          this.view.refresh();
          this.view.changed();
        } }, dot, ` ${label} `, h('span', { class: 'count' }, String(count)));
        b.setAttribute('aria-pressed', String(!hidden));
        return b;
      }));
  }

  private renderProgress(done: number, total: number, running: boolean): void {
    this.progress.hidden = !running;
    this.progress.dataset.running = String(running);
    if (!running) return;
    const pct = total > 0 ? Math.round((done / total) * 100) : 0;
    const bar = h('progress', {});
    bar.max = 100;
    bar.value = pct;
    clear(this.progress, h('span', {}, t('laying', pct)), bar, h('button', { type: 'button', data: { testid: 'layout-stop' }, onclick: () => this.view.layouts.stop() }, t('stop')));
  }

  // ---- keyboard ---------------------------------------------------------------------------------

  private canvasKey(ev: KeyboardEvent): void {
    const v = this.view;
    const step = 0.15;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => v.pan(-step, 0),
      ArrowRight: () => v.pan(step, 0),
      ArrowUp: () => v.pan(0, -step),
      ArrowDown: () => v.pan(0, step),
      '+': () => v.zoom(1.5),
      '=': () => v.zoom(1.5),
      '-': () => v.zoom(1 / 1.5),
      '0': () => v.resetCamera(),
      l: () => this.toggleList(true),
      L: () => this.toggleList(true),
      e: () => v.selection && v.onExpand?.(v.selection),
      Delete: () => v.selection && v.hide([v.selection]),
      Escape: () => v.select(null),
    };
    if ((ev.ctrlKey || ev.metaKey) && ev.key.toLowerCase() === 'z') {
      ev.preventDefault();
      v.undo();
      return;
    }
    const action = ev.ctrlKey || ev.metaKey || ev.altKey ? undefined : keys[ev.key];
    if (!action) return;
    ev.preventDefault();
    action();
  }

  toggleList(open = this.list.hidden): void {
    this.list.hidden = !open;
    this.renderToolbar();
    if (open) {
      this.filter.placeholder = t('filterNodes');
      this.filter.setAttribute('aria-label', t('filterNodes'));
      this.options.setAttribute('aria-label', t('nodeList'));
      this.active = 0;
      this.renderList();
      this.filter.focus();
      this.filter.select(); // typing replaces the last filter
    } else this.view.container.focus();
  }

  private renderList(): void {
    const q = this.filter.value.trim().toLowerCase();
    const g = this.view.graph;
    const ids = this.view.visibleNodes().filter((id) => !q || g.getNodeAttribute(id, 'label').toLowerCase().includes(q));
    ids.sort((a, b) => g.getNodeAttribute(a, 'label').localeCompare(g.getNodeAttribute(b, 'label')));
    this.shown = ids.slice(0, LIST_MAX);
    this.active = Math.max(0, Math.min(this.active, this.shown.length - 1));
    clear(this.options,
      ...this.shown.map((id, i) => {
        const a = g.getNodeAttributes(id);
        const dot = h('span', { class: 'dot' });
        dot.style.backgroundColor = a.color;
        const li = h('li', { role: 'option', id: `graph-node-${i}`, data: { testid: 'node-option', node: id } }, dot, ` ${a.label} `, h('span', { class: 'muted' }, `${a.entityType} · ${t('relCount', g.degree(id))}`));
        li.setAttribute('aria-selected', String(i === this.active));
        li.addEventListener('mousedown', (ev) => ev.preventDefault()); // keep focus in the filter
        li.addEventListener('click', () => this.choose(i));
        return li;
      }),
      this.shown.length === 0 ? h('li', { class: 'muted' }, t('noMatch')) : null,
      ids.length > LIST_MAX ? h('li', { class: 'muted' }, t('more', ids.length - LIST_MAX)) : null);
    if (this.shown.length) this.filter.setAttribute('aria-activedescendant', `graph-node-${this.active}`);
    else this.filter.removeAttribute('aria-activedescendant');
    this.options.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }

  private listKey(ev: KeyboardEvent): void {
    const move = (to: number) => {
      ev.preventDefault();
      this.active = Math.max(0, Math.min(to, this.shown.length - 1));
      this.renderList();
    };
    if (ev.key === 'ArrowDown') move(this.active + 1);
    else if (ev.key === 'ArrowUp') move(this.active - 1);
    else if (ev.key === 'Home') move(0);
    else if (ev.key === 'End') move(this.shown.length - 1);
    else if (ev.key === 'Enter') {
      ev.preventDefault();
      this.choose(this.active);
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      this.toggleList(false);
    }
  }

  private choose(i: number): void {
    const id = this.shown[i];
    if (!id) return;
    this.view.select(id);
    this.view.focus(id);
    this.active = i;
    this.renderList();
  }
}
