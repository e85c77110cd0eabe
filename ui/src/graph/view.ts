/**
 * The graph view: a graphology graph drawn by sigma.js (WebGL), so thousands of nodes stay smooth.
 * Nodes are entities coloured by label (ui/src/graph/palette.ts), edges their relationships.
 * Labels are placed by ui/src/graph/labels.ts (every node named while few are in view, never two
 * labels on top of each other); layouts run in a web worker (layout-client.ts). A click selects, a
 * double click or "Expand" expands; hide, prune and undo change what is in view; nodes can be
 * dragged. Sigma draws on canvases, so names are never markup.
 */
import Graph from 'graphology';
import Sigma from 'sigma';
import { EdgeArrowProgram, EdgeLineProgram, EdgeRectangleProgram, NodeCircleProgram, NodePointProgram } from 'sigma/rendering';
import type { AskResult, GraphEdge, GraphNode, Neighbourhood } from '../api.ts';
import { drawLabels, NODE_FONT, placeLabels, shorten, type LabelBox, type LabelItem } from './labels.ts';
import { LayoutRunner } from './layout-client.ts';
import type { LayoutName } from './layout-protocol.ts';
import { colourOf } from './palette.ts';

export interface NodeAttrs {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  /** The entity's label (Person, Project…); not `type`, which sigma reads as its render program. */
  entityType: string;
  collection: string;
  /** Expanded already (its neighbourhood was fetched). */
  expanded?: boolean;
  /** Placed by hand: force layouts leave it there. */
  fixed?: boolean;
}
export interface EdgeAttrs {
  size: number;
  color: string;
  label: string;
  relType: string;
}

/** Below this many nodes in view every node is named (space permitting); above it, the best connected. */
export const LABEL_ALL_BELOW = 150;
const DIMMED = '#d9dde3';
const EDGE = '#aab3bf';
const EDGE_NEAR = '#52606d';
const EDGE_ANSWER = '#c0392b';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif';
const HISTORY = 20;
/** Past this many nodes or relationships, hovering redraws only the labels (a full redraw is slow in software WebGL). */
const BIG = 2000;
/** Past this many nodes and relationships added at once, sigma is told once, not item by item. */
const BATCH = 500;
/** Relationship-type labels per type around the hovered or selected node. */
const EDGE_LABELS_PER_TYPE = 6;

/** Lets the page handle input and draw before the rest of the work (scheduler.yield where there is one). */
export function yieldToPage(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return scheduler?.yield ? scheduler.yield() : new Promise((resolve) => setTimeout(resolve, 0));
}

type Snapshot = ReturnType<Graph<NodeAttrs, EdgeAttrs>['export']>;

export class GraphView {
  readonly graph = new Graph<NodeAttrs, EdgeAttrs>({ multi: true, type: 'directed', allowSelfLoops: true });
  readonly sigma: Sigma<NodeAttrs, EdgeAttrs>;
  /** What sigma watches while a big batch is built (see batch()). */
  private readonly idle = new Graph<NodeAttrs, EdgeAttrs>({ multi: true, type: 'directed', allowSelfLoops: true });
  /** Sigma watches `idle` or a copy, not `graph` (see batch()). */
  private detached = false;
  private attaching = false;
  readonly hiddenLabels = new Set<string>();
  readonly hiddenRelTypes = new Set<string>();
  readonly layouts: LayoutRunner;
  layoutName: LayoutName = 'force';
  private highlighted = new Set<string>();
  private highlightedEdges = new Set<string>();
  private selected: string | null = null;
  private hovered: string | null = null;
  private neighbours = new Set<string>();
  private boxes: LabelBox[] = [];
  private history: Snapshot[] = [];
  private drag: { node: string; moved: boolean } | null = null;
  private suppressClick = false;
  private readonly widths = new Map<string, number>();
  /** How long the last frame took to draw, labels included. */
  private frameMs = 0;
  private measure: CanvasRenderingContext2D | null = null;
  /** Called when the nodes, relationships, labels or the history change. */
  onChange: (() => void) | undefined;
  private readonly listeners: Array<() => void> = [];
  /** A node was chosen (click, keyboard), or the selection was cleared (null). */
  onSelect: ((id: string | null) => void) | undefined;
  /** Expanding a node was asked for (double click, the Expand button, E). */
  onExpand: ((id: string) => void) | undefined;
  /** Areas of the canvas covered by controls, in pixels relative to the container. */
  reservedAreas: (() => Array<{ x: number; y: number; w: number; h: number }>) | undefined;

  constructor(readonly container: HTMLElement) {
    this.sigma = new Sigma<NodeAttrs, EdgeAttrs>(this.graph, container, {
      renderLabels: false, // labels.ts places and draws them after each frame
      renderEdgeLabels: false,
      defaultEdgeType: 'arrow',
      nodeProgramClasses: { circle: NodeCircleProgram, point: NodePointProgram },
      edgeProgramClasses: { arrow: EdgeArrowProgram, line: EdgeRectangleProgram, thin: EdgeLineProgram },
      hideEdgesOnMove: false,
      zIndex: true,
      allowInvalidContainer: true,
      minCameraRatio: 0.02,
      maxCameraRatio: 4,
      // A ring around hovered and selected nodes; their names are drawn by labels.ts.
      defaultDrawNodeHover: (ctx, data) => {
        ctx.beginPath();
        ctx.arc(data.x, data.y, data.size + 3, 0, Math.PI * 2);
        ctx.strokeStyle = '#1f2933';
        ctx.lineWidth = 2;
        ctx.stroke();
      },
      nodeReducer: (node, data) => {
        const out: Partial<NodeAttrs & { hidden: boolean; highlighted: boolean; zIndex: number; type: string }> = { ...data };
        if (this.graph.order > BIG) out.type = 'point';
        if (this.hiddenLabels.has(data.entityType)) out.hidden = true;
        if (this.highlighted.size > 0) {
          if (this.highlighted.has(node)) {
            out.zIndex = 2;
            out.size = data.size * 1.5;
          } else if (node !== this.selected) out.color = DIMMED;
        }
        if (node === this.selected) {
          out.highlighted = true;
          out.zIndex = 3;
        }
        return out;
      },
      edgeReducer: (edge, data) => {
        const out: Partial<EdgeAttrs & { hidden: boolean; zIndex: number; type: string }> = { ...data };
        // Arrowheads are unreadable among thousands of relationships and cost a second draw each.
        if (this.graph.size > BIG) out.type = 'thin';
        if (this.hiddenRelTypes.has(data.relType)) out.hidden = true;
        // The ends are looked up only when something depends on them (thousands of relationships per frame).
        if (this.hiddenLabels.size === 0 && this.selected === null && this.hovered === null) {
          if (this.highlighted.size > 0) this.reduceHighlighted(edge, out, false);
          return out;
        }
        const [s, t] = this.graph.extremities(edge);
        if (this.hiddenLabels.has(this.graph.getNodeAttribute(s, 'entityType')) || this.hiddenLabels.has(this.graph.getNodeAttribute(t, 'entityType'))) {
          out.hidden = true;
        }
        const near = this.selected !== null && (s === this.selected || t === this.selected);
        if (near || (this.hovered !== null && (s === this.hovered || t === this.hovered))) {
          out.color = EDGE_NEAR;
          out.size = 1.5;
          out.zIndex = 1;
        }
        if (this.highlighted.size > 0) this.reduceHighlighted(edge, out, near);
        return out;
      },
    });
    this.warmUp();
    this.layouts = new LayoutRunner(this.graph);
    this.layouts.viewSize = () => this.sigma.getDimensions();
    this.layouts.frameCost = () => this.frameMs;
    // New positions for thousands of nodes are processed and drawn in the worker message's task,
    // not in the next frame, so that frame only waits for the (software) GPU to finish drawing.
    this.layouts.onApplied = () => {
      if (this.graph.order > BIG && !this.detached) this.sigma.refresh({ partialGraph: { nodes: [] } });
    };
    this.layouts.labelExtent = (node) => {
      const a = this.graph.getNodeAttributes(node);
      return [a.size, this.textWidth(shorten(a.label, this.sigma.getDimensions().width), NODE_FONT) + 4, NODE_FONT + 4];
    };
    let frameStart = 0;
    this.sigma.on('beforeRender', () => (frameStart = performance.now()));
    this.sigma.on('afterRender', () => {
      this.renderLabels();
      this.frameMs = performance.now() - frameStart;
    });
    this.wireEvents();
    // Panels collapsing, full screen, a phone turning: sigma only watches the window's size.
    // A much narrower or wider view (a panel folded, a phone turned) re-makes room for the labels.
    let laidAt = { width: 0, height: 0 };
    let timer: ReturnType<typeof setTimeout> | undefined;
    new ResizeObserver(() => {
      this.sigma.refresh({ skipIndexation: true, schedule: true });
      clearTimeout(timer);
      timer = setTimeout(() => {
        const now = this.sigma.getDimensions();
        const changed = Math.abs(now.width - laidAt.width) > laidAt.width * 0.2 || Math.abs(now.height - laidAt.height) > laidAt.height * 0.2;
        if (changed && now.width > 0 && this.layoutName === 'force' && !this.layouts.running && this.graph.order > 1) {
          laidAt = now;
          void this.layouts.run('force', null, { spreadOnly: true });
        }
      }, 300);
    }).observe(container);
    this.layouts.onRun = () => (laidAt = this.sigma.getDimensions());
  }

  /** An answer's relationships stand out; the others fade unless they touch the selection. */
  private reduceHighlighted(edge: string, out: Partial<EdgeAttrs & { zIndex: number }>, near: boolean): void {
    if (this.highlightedEdges.has(edge)) {
      out.color = EDGE_ANSWER;
      out.size = 2.5;
      out.zIndex = 2;
    } else if (!near) out.color = '#eceff3';
  }

  /**
   * Draws a two-node graph once with the big-graph programs (points, thin lines) while the page
   * loads. WebGL compiles a program's pipeline on its first draw, and software WebGL takes a few
   * hundred ms for that: paid now, not in the frame that first shows thousands of nodes. The
   * frame is replaced before it is shown.
   */
  private warmUp(): void {
    const warm = new Graph<NodeAttrs, EdgeAttrs>({ multi: true, type: 'directed', allowSelfLoops: true });
    // `type` picks sigma's program (the reducers pass it through).
    const node = { size: 1, color: '#ffffff', label: '', entityType: '', collection: '', type: 'point' };
    warm.addNode('a', { ...node, x: 0, y: 0 });
    warm.addNode('b', { ...node, x: 1, y: 1 });
    warm.addEdge('a', 'b', { size: 1, color: '#ffffff', label: '', relType: '', type: 'thin' } as EdgeAttrs);
    try {
      this.sigma.setGraph(warm);
    } finally {
      this.sigma.setGraph(this.graph);
    }
  }

  /** Calls `listener` after every change of nodes, history or selection (the on-canvas controls). */
  subscribe(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Tells the page and the controls that what is in view changed. */
  changed(): void {
    for (const l of this.listeners) l();
    this.onChange?.();
  }

  // ---- reading ---------------------------------------------------------------------------------

  get nodeCount(): number {
    return this.graph.order;
  }

  get selection(): string | null {
    return this.selected;
  }

  labels(): Map<string, number> {
    const counts = new Map<string, number>();
    this.graph.forEachNode((_n, a) => counts.set(a.entityType, (counts.get(a.entityType) ?? 0) + 1));
    return counts;
  }

  relTypes(): Map<string, number> {
    const counts = new Map<string, number>();
    this.graph.forEachEdge((_e, a) => counts.set(a.relType, (counts.get(a.relType) ?? 0) + 1));
    return counts;
  }

  /** The label boxes drawn in the last frame, in pixels relative to the container. */
  labelBoxes(): LabelBox[] {
    return this.boxes;
  }

  /** Nodes drawn inside the view now (not hidden, centre on screen). */
  visibleNodes(): string[] {
    const { width, height } = this.sigma.getDimensions();
    const out: string[] = [];
    this.graph.forEachNode((node) => {
      const d = this.sigma.getNodeDisplayData(node);
      if (!d || d.hidden) return;
      const p = this.sigma.framedGraphToViewport(d);
      if (p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height) out.push(node);
    });
    return out;
  }

  get highlightedNodes(): string[] {
    return [...this.highlighted];
  }

  get canUndo(): boolean {
    return this.history.length > 0;
  }

  /** Where a node is drawn, in pixels relative to the container (tests click there). */
  screenPosition(id: string): { x: number; y: number } | null {
    const d = this.sigma.getNodeDisplayData(id);
    if (!d) return null;
    // Display data is in sigma's normalised ("framed") coordinates.
    return this.sigma.framedGraphToViewport({ x: d.x, y: d.y });
  }

  // ---- changing what is in view ------------------------------------------------------------------

  /** Empties the view and forgets its history (a new collection, a fresh start). */
  clear(): void {
    this.layouts.stop();
    this.graph.clear();
    this.attach();
    this.history = [];
    this.highlighted.clear();
    this.highlightedEdges.clear();
    this.selected = null;
    this.hovered = null;
    this.neighbours.clear();
    this.sigma.setCustomBBox(null);
    this.changed();
  }

  /** Adds a node (if new) near `near`, or on a circle around the origin. Returns whether it was new. */
  addNode(n: GraphNode, near?: { x: number; y: number }, i = 0, of = 1): boolean {
    if (this.graph.hasNode(n.id)) return false;
    // Golden-angle spiral around the parent: no overlaps before the layout starts.
    const angle = i * 2.39996323;
    const r = near ? 1 + Math.sqrt(i + 1) * 0.6 : Math.sqrt(this.graph.order + 1) * 2;
    const base = near ?? { x: 0, y: 0 };
    const a = near ? angle : (this.graph.order / Math.max(of, 1)) * Math.PI * 2 + angle;
    this.graph.addNode(n.id, {
      x: base.x + r * Math.cos(a),
      y: base.y + r * Math.sin(a),
      size: 5,
      color: colourOf(n.type),
      label: n.name,
      entityType: n.type,
      collection: n.collection,
    });
    return true;
  }

  addEdge(e: GraphEdge): string | null {
    if (!this.graph.hasNode(e.source) || !this.graph.hasNode(e.target)) return null;
    const key = `${e.source}|${e.type}|${e.target}`;
    if (!this.graph.hasEdge(key)) this.graph.addDirectedEdgeWithKey(key, e.source, e.target, { size: 1, color: EDGE, label: e.type, relType: e.type });
    return key;
  }

  /** Adds a neighbourhood around its centre (undoable) and lays the graph out. Returns the nodes added. */
  addNeighbourhood(nb: Neighbourhood): number {
    return this.addNeighbourhoods([nb], { undoable: true });
  }

  /**
   * Adds several neighbourhoods with one layout (the start view fetches them in parallel). Callers
   * yield to the page first (yieldToPage), so parsing a big response and building the graph from it
   * are two tasks, not one long one.
   */
  addNeighbourhoods(nbs: Neighbourhood[], opts: { undoable?: boolean } = {}): number {
    if (opts.undoable) this.remember();
    let added = 0;
    const incoming = nbs.reduce((n, nb) => n + nb.nodes.length + nb.edges.length, 0);
    this.batch(incoming > BATCH, () => {
      for (const nb of nbs) {
        if (this.addNode(nb.center)) added++;
        const centre = this.graph.getNodeAttributes(nb.center.id);
        // Set in place: not drawn, and an attribute event for a node sigma has not indexed yet throws.
        centre.expanded = true;
        nb.nodes.forEach((n, i) => {
          if (this.addNode(n, centre, i, nb.nodes.length)) added++;
        });
        for (const e of nb.edges) this.addEdge(e);
      }
      this.resize();
    }, { later: true });
    void this.layout();
    this.changed();
    return added;
  }

  /**
   * Runs a big change of the graph while sigma watches another graph, then lets sigma index the
   * result once. Watching, sigma reduces and re-indexes every added node and relationship two or
   * three times as it is added (several hundred ms for thousands).
   *
   * `later`: sigma indexes and draws the result in a task of its own (building and drawing
   * thousands of nodes do not add up to one long task). Meanwhile it watches a copy of what was in
   * view, so the view stays as it was, not empty; only when little was in view (copying thousands
   * would cost what it saves). Otherwise sigma watches an empty graph and is back in this task, so
   * no empty frame is ever shown.
   */
  private batch(big: boolean, change: () => void, opts: { later?: boolean } = {}): void {
    if (!big && !this.detached) return change();
    const later = opts.later === true && (this.detached || this.graph.order <= BIG);
    if (!this.detached) {
      this.sigma.setGraph(later ? this.graph.copy() : this.idle);
      this.detached = true;
    }
    try {
      change();
    } finally {
      if (!later) this.attach();
      else if (!this.attaching) {
        this.attaching = true;
        void yieldToPage().then(() => {
          this.attaching = false;
          this.attach();
        });
      }
    }
  }

  /** Sigma watches the graph again (see batch). */
  private attach(): void {
    if (!this.detached) return;
    this.detached = false;
    this.tune();
    this.sigma.setGraph(this.graph);
  }

  /** Hides (removes from view) these nodes; undoable. */
  hide(ids: Iterable<string>): number {
    const drop = [...ids].filter((id) => this.graph.hasNode(id));
    if (drop.length === 0) return 0;
    this.remember();
    // Sigma re-indexes the whole graph for every node dropped while it watches: a prune of
    // thousands is one batch.
    this.batch(drop.length > 20, () => {
      for (const id of drop) {
        this.graph.dropNode(id);
        this.highlighted.delete(id);
      }
      this.resize();
    });
    if (this.selected !== null && !this.graph.hasNode(this.selected)) this.select(null);
    this.updateNeighbours();
    this.changed();
    return drop.length;
  }

  /** Hides the nodes hanging by a single relationship (not the selection or the answer); undoable. */
  prune(): number {
    const leaves = this.graph.filterNodes((node) => this.graph.degree(node) <= 1 && node !== this.selected && !this.highlighted.has(node));
    return this.hide(leaves);
  }

  /** Puts back the view as it was before the last expand, hide or prune. */
  undo(): boolean {
    const snap = this.history.pop();
    if (!snap) return false;
    this.layouts.stop();
    this.batch(snap.nodes.length + snap.edges.length > BATCH, () => {
      this.graph.clear();
      this.graph.import(snap);
    });
    if (this.selected && !this.graph.hasNode(this.selected)) this.select(null);
    for (const id of this.highlighted) if (!this.graph.hasNode(id)) this.highlighted.delete(id);
    this.updateNeighbours();
    this.changed();
    this.refresh();
    return true;
  }

  private remember(): void {
    if (this.graph.order === 0) return;
    this.history.push(this.graph.export());
    if (this.history.length > HISTORY) this.history.shift();
  }

  // ---- layout ------------------------------------------------------------------------------------

  /** Sizes nodes by degree, then lays the graph out in the worker with the chosen layout. */
  layout(name: LayoutName = this.layoutName): Promise<void> {
    this.layoutName = name;
    this.tune();
    // (Only when set: sigma draws the whole graph again for it.)
    if (this.sigma.getCustomBBox()) this.sigma.setCustomBBox(null);
    // Other layouts place every node: hand-placed ones are let go (one batch update, no hints: see resize).
    if (name !== 'force') this.graph.updateEachNodeAttributes((_n, a) => {
      delete a.fixed;
      return a;
    });
    return this.layouts.run(name, this.selected);
  }

  /** Settings that depend on the graph's size. */
  private tune(): void {
    // Past a few thousand relationships, drawing them during every camera frame costs more than it shows.
    const hideEdges = this.graph.size > BIG;
    // Only when it changes: a new setting makes sigma re-index everything.
    if (this.sigma.getSetting('hideEdgesOnMove') !== hideEdges) this.sigma.setSetting('hideEdgesOnMove', hideEdges);
  }

  /** Sizes nodes by degree (after the nodes or relationships in view changed). */
  private resize(): void {
    // Smaller dots when thousands share the view.
    const base = this.graph.order > 1000 ? 2 : 4;
    const size = (node: string) => Math.min(18, base + Math.sqrt(this.graph.degree(node)) * 1.6);
    // Any update makes sigma re-reduce every node: none when no size changes.
    if (!this.graph.someNode((node, a) => a.size !== size(node))) return;
    this.graph.updateEachNodeAttributes((node, a) => {
      a.size = size(node);
      return a;
    }); // no hints: sigma's partial repaint would throw for nodes added since its last frame
  }

  // ---- selection and highlighting ------------------------------------------------------------------

  /** Selects a node (or none) and tells onSelect. */
  select(id: string | null): void {
    this.setSelected(id);
    this.onSelect?.(id);
  }

  /** Marks a node as selected without telling anyone (the page already knows). */
  setSelected(id: string | null): void {
    const before = this.selected;
    this.selected = id !== null && this.graph.hasNode(id) ? id : null;
    this.updateNeighbours();
    this.refreshAround([before, this.selected]);
    for (const l of this.listeners) l();
  }

  /**
   * Redraws after the selection moved from or to these nodes. Past a few thousand nodes only they
   * and their relationships are reduced again, and nothing is re-indexed (a full refresh costs a
   * software-WebGL frame hundreds of ms); the selection is drawn on sigma's top layer anyway.
   */
  private refreshAround(nodes: Array<string | null>): void {
    if (this.graph.order <= BIG && this.graph.size <= BIG) return this.refresh();
    const ids = [...new Set(nodes)].filter((n): n is string => n !== null && this.graph.hasNode(n) && this.sigma.getNodeDisplayData(n) !== undefined);
    const edges = new Set<string>();
    for (const n of ids) this.graph.forEachEdge(n, (e) => {
      if (this.sigma.getEdgeDisplayData(e)) edges.add(e);
    });
    try {
      this.sigma.refresh({ partialGraph: { nodes: ids, edges: [...edges] }, skipIndexation: true });
    } catch {
      this.refresh(); // one of them is not indexed yet (added since sigma's last frame)
    }
  }

  private updateNeighbours(): void {
    this.neighbours = new Set(this.selected && this.graph.hasNode(this.selected) ? this.graph.neighbors(this.selected) : []);
  }

  /** Highlights these entities and these relationships; an empty set clears it. */
  highlight(nodeIds: Iterable<string>, edgeKeys: Iterable<string> = []): void {
    this.highlighted = new Set([...nodeIds].filter((id) => this.graph.hasNode(id)));
    this.highlightedEdges = new Set([...edgeKeys].filter((k) => this.graph.hasEdge(k)));
    this.refresh();
  }

  /**
   * Highlights exactly an answer's graph: the relationships of its facts (added to the view when
   * missing) and the nodes its rows name. Nothing for an answer that was not found. Returns what
   * was highlighted.
   */
  highlightAnswer(r: AskResult): { nodes: string[]; edges: string[] } {
    if (!r.found) {
      this.highlight([]);
      return { nodes: [], edges: [] };
    }
    const nodes = new Set<string>();
    const edges = new Set<string>();
    let added = false;
    for (const f of r.facts) {
      const near = this.graph.hasNode(f.subjectId) ? this.graph.getNodeAttributes(f.subjectId) : this.graph.hasNode(f.objectId) ? this.graph.getNodeAttributes(f.objectId) : undefined;
      added = this.addNode({ id: f.subjectId, name: f.subject, type: f.subjectType, collection: '' }, near) || added;
      added = this.addNode({ id: f.objectId, name: f.object, type: f.objectType, collection: '' }, near ?? this.graph.getNodeAttributes(f.subjectId)) || added;
      nodes.add(f.subjectId).add(f.objectId);
      const key = this.addEdge({ source: f.subjectId, target: f.objectId, type: f.predicate });
      if (key) edges.add(key);
    }
    // Rows carry display names, not ids: a row's node is the node in view with exactly that name.
    const names = new Set<string>();
    for (const row of r.rows) {
      if (typeof row.name === 'string') names.add(row.name);
      if (Array.isArray(row.names)) for (const n of row.names) if (typeof n === 'string') names.add(n);
    }
    if (names.size > 0) this.graph.forEachNode((id, a) => {
      if (names.has(a.label)) nodes.add(id);
    });
    if (added) {
      this.resize();
      void this.layout();
      this.changed();
    }
    this.highlight(nodes, edges);
    return { nodes: [...this.highlighted], edges: [...this.highlightedEdges] };
  }

  refresh(): void {
    this.sigma.refresh({ skipIndexation: true });
  }

  // ---- camera ----------------------------------------------------------------------------------------

  /** Moves the camera to a node. */
  focus(id: string): void {
    const d = this.sigma.getNodeDisplayData(id);
    if (!d) return;
    this.sigma.getCamera().animate({ x: d.x, y: d.y, ratio: Math.min(this.sigma.getCamera().ratio, 0.6) }, { duration: 400 });
  }

  resetCamera(): void {
    void this.sigma.getCamera().animatedReset({ duration: 300 });
  }

  zoom(by: number): void {
    const camera = this.sigma.getCamera();
    void camera.animate({ ratio: camera.getBoundedRatio(camera.ratio / by) }, { duration: 200 });
  }

  /** Pans by a fraction of the view. */
  pan(dx: number, dy: number): void {
    const camera = this.sigma.getCamera();
    const { width, height } = this.sigma.getDimensions();
    const centre = this.sigma.viewportToFramedGraph({ x: width / 2 + dx * width, y: height / 2 + dy * height });
    void camera.animate({ x: centre.x, y: centre.y }, { duration: 150 });
  }

  // ---- events ---------------------------------------------------------------------------------------

  private wireEvents(): void {
    const s = this.sigma;
    s.on('clickNode', ({ node }) => {
      if (this.suppressClick) {
        this.suppressClick = false;
        return;
      }
      this.select(node);
    });
    s.on('doubleClickNode', ({ node, event }) => {
      event.preventSigmaDefault();
      this.select(node);
      this.onExpand?.(node);
    });
    s.on('clickStage', () => {
      if (this.selected !== null) this.select(null);
    });
    const hover = (node: string | null) => {
      this.hovered = node;
      this.container.classList.toggle('pointer', node !== null);
      if (this.graph.order > BIG || this.graph.size > BIG) {
        this.sigma.getCanvases().labels?.getContext('2d')?.clearRect(0, 0, this.container.clientWidth, this.container.clientHeight);
        this.renderLabels();
      } else this.refresh();
    };
    s.on('enterNode', ({ node }) => hover(node));
    s.on('leaveNode', () => hover(null));
    // Dragging a node moves it and pins it there (force layouts leave it alone afterwards).
    s.on('downNode', ({ node }) => {
      this.drag = { node, moved: false };
      this.layouts.held = node;
      if (!s.getCustomBBox()) s.setCustomBBox(s.getBBox());
    });
    s.on('moveBody', ({ event }) => {
      if (!this.drag) return;
      const pos = s.viewportToGraph(event);
      this.graph.mergeNodeAttributes(this.drag.node, { x: pos.x, y: pos.y, fixed: true });
      this.drag.moved = true;
      event.preventSigmaDefault();
      event.original.preventDefault();
      event.original.stopPropagation();
    });
    const up = () => {
      if (this.drag?.moved) this.suppressClick = true;
      this.drag = null;
      this.layouts.held = null;
    };
    s.on('upNode', up);
    s.on('upStage', up);
  }

  // ---- labels ---------------------------------------------------------------------------------------

  private textWidth(text: string, fontSize: number): number {
    const key = `${fontSize}|${text}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      this.measure ??= document.createElement('canvas').getContext('2d');
      if (this.measure) {
        this.measure.font = `600 ${fontSize}px ${FONT}`;
        w = this.measure.measureText(text).width;
      } else w = text.length * fontSize * 0.6;
      if (this.widths.size > 20_000) this.widths.clear();
      this.widths.set(key, w);
    }
    return w;
  }

  /** Places and draws node names and relationship types on sigma's label canvas. */
  private renderLabels(): void {
    const canvas = this.sigma.getCanvases().labels;
    const ctx = canvas?.getContext('2d');
    if (!ctx) return;
    const { width, height } = this.sigma.getDimensions();
    const s = this.sigma;
    const discs: Array<{ id: string; x: number; y: number; r: number; degree: number }> = [];
    const disc = (node: string) => {
      const d = s.getNodeDisplayData(node);
      if (!d || d.hidden) return;
      const p = s.framedGraphToViewport(d);
      if (p.x < -20 || p.y < -20 || p.x > width + 20 || p.y > height + 20) return;
      discs.push({ id: node, x: p.x, y: p.y, r: s.scaleSize(d.size), degree: this.graph.degree(node) });
    };
    // While the camera moves over thousands of nodes only the selection, the hovered node, an
    // answer and the selection's neighbours are named: not every node is looked at in every frame.
    const mouse = s.getMouseCaptor();
    const moving = this.graph.order > BIG && (s.getCamera().isAnimated() || mouse.isMoving || mouse.draggedEvents > 0 || mouse.currentWheelDirection !== 0);
    if (moving) {
      const few = new Set([this.selected, this.hovered, ...this.highlighted, ...(this.neighbours.size <= LABEL_ALL_BELOW ? this.neighbours : [])]);
      for (const node of few) if (node !== null && this.graph.hasNode(node)) disc(node);
    } else this.graph.forEachNode(disc);
    const byId = new Map(discs.map((d) => [d.id, d]));
    // Named whatever it takes: the selection, the hovered node, an answer's and the selection's
    // neighbours, while they are few enough to read (a hub's thousand neighbours just come first).
    const forceAll = (n: number) => n <= LABEL_ALL_BELOW;
    const rank = (id: string) =>
      id === this.selected ? 0 : id === this.hovered ? 1 : this.highlighted.has(id) ? (forceAll(this.highlighted.size) ? 2 : 4) : this.neighbours.has(id) ? (forceAll(this.neighbours.size) ? 3 : 4) : 5;
    const forcedDiscs = discs.filter((d) => rank(d.id) <= 3).sort((a, b) => rank(a.id) - rank(b.id) || b.degree - a.degree);
    // Every node named while few are in view; otherwise as many of the best connected as fit
    // (only a few times the budget are tried: sorting thousands of names each frame is too slow).
    const budget = discs.length < LABEL_ALL_BELOW ? discs.length : Math.min(LABEL_ALL_BELOW, Math.round((width * height) / 5000));
    let restDiscs = moving ? [] : discs.filter((d) => rank(d.id) > 3);
    restDiscs.sort((a, b) => rank(a.id) - rank(b.id) || b.degree - a.degree);
    if (restDiscs.length >= LABEL_ALL_BELOW) restDiscs = restDiscs.slice(0, budget * 3);
    else {
      const names = new Map(restDiscs.map((d) => [d.id, this.graph.getNodeAttribute(d.id, 'label')]));
      restDiscs.sort((a, b) => rank(a.id) - rank(b.id) || b.degree - a.degree || (names.get(a.id)! < names.get(b.id)! ? -1 : 1));
    }
    const item = (d: (typeof discs)[number]): LabelItem => {
      const r = rank(d.id);
      return { key: d.id, kind: 'node', text: shorten(this.graph.getNodeAttribute(d.id, 'label') ?? '', width), x: d.x, y: d.y, r: d.r, forced: r <= 3, strong: r <= 2 || (r === 4 && this.highlighted.has(d.id)) };
    };
    // Relationship types: of the hovered and selected nodes, and of a highlighted answer.
    const edgeItems: LabelItem[] = [];
    // A type said a few times is said: a hub's 200 WORKS_FOR relationships are not labelled 200 times.
    const perType = new Map<string, number>();
    const addEdge = (edge: string) => {
      const [a, b] = this.graph.extremities(edge);
      const da = byId.get(a);
      const db = byId.get(b);
      const ed = s.getEdgeDisplayData(edge);
      if (!da || !db || !ed || ed.hidden || a === b) return;
      const type = this.graph.getEdgeAttribute(edge, 'relType');
      const seen = perType.get(type) ?? 0;
      if (seen >= EDGE_LABELS_PER_TYPE && !this.highlightedEdges.has(edge)) return;
      perType.set(type, seen + 1);
      edgeItems.push({ key: edge, kind: 'edge', text: shorten(type, width), x: da.x, y: da.y, x2: db.x, y2: db.y, r: 0, forced: false, strong: this.highlightedEdges.has(edge) });
    };
    for (const edge of this.highlightedEdges) if (this.graph.hasEdge(edge)) addEdge(edge);
    for (const n of [this.hovered, this.selected]) if (n && this.graph.hasNode(n)) this.graph.forEachEdge(n, (edge) => {
      if (!this.highlightedEdges.has(edge)) addEdge(edge);
    });
    const items = [...forcedDiscs.map(item), ...edgeItems.slice(0, 60), ...restDiscs.map(item)];
    this.boxes = placeLabels(items, discs, { width, height }, (text, size) => this.textWidth(text, size), budget + Math.min(edgeItems.length, 60), this.reservedAreas?.() ?? []);
    drawLabels(ctx, this.boxes, FONT);
  }
}
