/**
 * The graph view: a graphology graph drawn by sigma.js (WebGL), so thousands of nodes stay smooth.
 * Nodes are entities (colour by label), edges their relationships. Labels and relationship types
 * can be hidden; an answer's subgraph can be highlighted. Sigma draws labels on a canvas, so names
 * are never markup.
 */
import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import Sigma from 'sigma';
import type { GraphEdge, GraphNode, Neighbourhood } from './api.ts';

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
}
export interface EdgeAttrs {
  size: number;
  color: string;
  label: string;
  relType: string;
}

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#2f9e9e', '#8c6bb1', '#d4a017'];
const FIXED: Record<string, string> = { Person: '#4e79a7', Organization: '#f28e2b', Company: '#f28e2b', Location: '#59a14f', Place: '#59a14f', Project: '#e15759', Task: '#b07aa1', Document: '#9c755f' };
const DIMMED = '#d9dde3';

export function colourOf(label: string): string {
  if (FIXED[label]) return FIXED[label];
  let hash = 0;
  for (const ch of label) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

export class GraphView {
  readonly graph = new Graph<NodeAttrs, EdgeAttrs>({ multi: true, type: 'directed', allowSelfLoops: true });
  readonly sigma: Sigma<NodeAttrs, EdgeAttrs>;
  readonly hiddenLabels = new Set<string>();
  readonly hiddenRelTypes = new Set<string>();
  private highlighted = new Set<string>();
  private highlightedEdges = new Set<string>();
  private selected: string | null = null;
  /** Called when the set of labels or relationship types in the graph changes. */
  onChange: (() => void) | undefined;

  constructor(container: HTMLElement) {
    this.sigma = new Sigma(this.graph, container, {
      renderEdgeLabels: false,
      defaultEdgeType: 'arrow',
      labelDensity: 0.7,
      labelRenderedSizeThreshold: 7,
      hideEdgesOnMove: false,
      zIndex: true,
      allowInvalidContainer: true,
      nodeReducer: (node, data) => {
        const out: Partial<NodeAttrs & { hidden: boolean; highlighted: boolean; zIndex: number; forceLabel: boolean }> = { ...data };
        if (this.hiddenLabels.has(data.entityType)) out.hidden = true;
        if (this.highlighted.size > 0) {
          if (this.highlighted.has(node)) {
            out.forceLabel = true;
            out.zIndex = 2;
            out.size = data.size * 1.6;
          } else {
            out.color = DIMMED;
            out.label = '';
          }
        }
        if (node === this.selected) {
          out.highlighted = true;
          out.forceLabel = true;
          out.zIndex = 3;
        }
        return out;
      },
      edgeReducer: (edge, data) => {
        const out: Partial<EdgeAttrs & { hidden: boolean; zIndex: number }> = { ...data };
        const [s, t] = this.graph.extremities(edge);
        if (this.hiddenRelTypes.has(data.relType) || this.hiddenLabels.has(this.graph.getNodeAttribute(s, 'entityType')) || this.hiddenLabels.has(this.graph.getNodeAttribute(t, 'entityType'))) {
          out.hidden = true;
        }
        if (this.highlighted.size > 0) {
          if (this.highlightedEdges.has(edge)) {
            out.color = '#c0392b';
            out.size = 2.5;
            out.zIndex = 2;
          } else out.color = '#eceff3';
        }
        return out;
      },
    });
  }

  get nodeCount(): number {
    return this.graph.order;
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

  clear(): void {
    this.graph.clear();
    this.highlighted.clear();
    this.highlightedEdges.clear();
    this.selected = null;
    this.onChange?.();
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
    if (!this.graph.hasEdge(key)) this.graph.addDirectedEdgeWithKey(key, e.source, e.target, { size: 1, color: '#aab3bf', label: e.type, relType: e.type });
    return key;
  }

  /** Adds a neighbourhood around its centre; lays the graph out again. Returns the nodes added. */
  addNeighbourhood(nb: Neighbourhood): number {
    const isNew = this.addNode(nb.center);
    const centre = this.graph.getNodeAttributes(nb.center.id);
    this.graph.setNodeAttribute(nb.center.id, 'expanded', true);
    let added = isNew ? 1 : 0;
    nb.nodes.forEach((n, i) => {
      if (this.addNode(n, centre, i, nb.nodes.length)) added++;
    });
    for (const e of nb.edges) this.addEdge(e);
    this.resize();
    this.layout();
    this.onChange?.();
    return added;
  }

  /** Node sizes by degree, then a bounded number of ForceAtlas2 iterations (Barnes-Hut above 500 nodes). */
  layout(): void {
    const n = this.graph.order;
    // Past a few thousand relationships, drawing them during every camera frame costs more than it shows.
    this.sigma.setSetting('hideEdgesOnMove', this.graph.size > 2000);
    if (n === 0) return;
    this.resize();
    if (n < 2) return;
    const iterations = Math.max(15, Math.min(120, Math.round(400_000 / (n * 8))));
    forceAtlas2.assign(this.graph, {
      iterations,
      settings: { ...forceAtlas2.inferSettings(this.graph), barnesHutOptimize: n > 500, adjustSizes: false },
    });
  }

  private resize(): void {
    // Smaller dots when thousands share the view.
    const base = this.graph.order > 1000 ? 2 : 4;
    this.graph.forEachNode((node) => {
      const d = this.graph.degree(node);
      this.graph.setNodeAttribute(node, 'size', Math.min(18, base + Math.sqrt(d) * 1.6));
    });
  }

  setSelected(id: string | null): void {
    this.selected = id;
    this.sigma.refresh({ skipIndexation: true });
  }

  /** Highlights these entities and the relationships between them; an empty set clears it. */
  highlight(nodeIds: Iterable<string>, edgeKeys: Iterable<string> = []): void {
    this.highlighted = new Set([...nodeIds].filter((id) => this.graph.hasNode(id)));
    this.highlightedEdges = new Set([...edgeKeys].filter((k) => this.graph.hasEdge(k)));
    this.sigma.refresh({ skipIndexation: true });
  }

  get highlightedNodes(): string[] {
    return [...this.highlighted];
  }

  refresh(): void {
    this.sigma.refresh({ skipIndexation: true });
  }

  /** Moves the camera to a node. */
  focus(id: string): void {
    const d = this.sigma.getNodeDisplayData(id);
    if (!d) return;
    this.sigma.getCamera().animate({ x: d.x, y: d.y, ratio: 0.5 }, { duration: 400 });
  }

  resetCamera(): void {
    this.sigma.getCamera().animatedReset({ duration: 300 });
  }

  /** Where a node is drawn, in pixels relative to the container (tests click there). */
  screenPosition(id: string): { x: number; y: number } | null {
    const d = this.sigma.getNodeDisplayData(id);
    if (!d) return null;
    // Display data is in sigma's normalised ("framed") coordinates.
    return this.sigma.framedGraphToViewport({ x: d.x, y: d.y });
  }
}
