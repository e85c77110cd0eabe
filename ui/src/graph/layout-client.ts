/**
 * Runs layouts in the layout worker (ui/src/graph/layout.worker.ts, served as layout-worker.js)
 * and writes the positions it sends back into the graph as they come (no faster than the page
 * draws them; past 2,000 nodes only the final ones), so the page draws the layout converging while
 * it stays responsive. A new run replaces the one in progress.
 */
import type Graph from 'graphology';
import type { LayoutName, LayoutProgress, LayoutRequest } from './layout-protocol.ts';

interface Positioned {
  x: number;
  y: number;
  size: number;
  entityType: string;
  fixed?: boolean;
}

/** Up to this many nodes, the force layout makes room for every label. */
const SPREAD_BELOW = 400;

export class LayoutRunner {
  private worker: Worker | null = null;
  private seq = 0;
  private order: string[] = [];
  private resolve: (() => void) | null = null;
  /** A node the user is dragging: the worker's copy of its position is stale. */
  held: string | null = null;
  running = false;
  done = 0;
  total = 0;
  /** How many runs went to the worker (tests read it). */
  runs = 0;
  onProgress: ((done: number, total: number, running: boolean) => void) | undefined;
  /** Called when a run starts (the view remembers the size it laid out for). */
  onRun: (() => void) | undefined;

  /** A node's radius, label width and height in pixels, when labels should get room (small graphs). */
  labelExtent: ((node: string) => [number, number, number]) | undefined;
  /** Called after new positions were written into the graph. */
  onApplied: (() => void) | undefined;
  /** The view's size in pixels. */
  viewSize: (() => { width: number; height: number }) | undefined;

  constructor(private readonly graph: Graph<Positioned>) {}

  private ensureWorker(): Worker {
    if (!this.worker) {
      this.worker = new Worker(new URL('layout-worker.js', import.meta.url));
      this.worker.onmessage = (ev: MessageEvent<LayoutProgress>) => this.receive(ev.data);
      this.worker.onerror = () => this.finish();
    }
    return this.worker;
  }

  /**
   * Lays the graph out; resolves when this run ends (finished, stopped or replaced). `spreadOnly`:
   * no ForceAtlas2, only room for the labels (after the view changed size).
   */
  run(algorithm: LayoutName, root: string | null, opts: { spreadOnly?: boolean } = {}): Promise<void> {
    this.finish();
    const g = this.graph;
    const n = g.order;
    if (n < 2) return Promise.resolve();
    const index = new Map<string, number>();
    this.order = g.nodes();
    this.order.forEach((id, i) => index.set(id, i));
    const positions = new Float32Array(n * 2);
    const sizes = new Float32Array(n);
    const fixed = new Uint8Array(n);
    const groups = new Uint16Array(n);
    const labelIndex = new Map<string, number>();
    this.order.forEach((id, i) => {
      const a = g.getNodeAttributes(id);
      positions[i * 2] = a.x;
      positions[i * 2 + 1] = a.y;
      sizes[i] = a.size;
      fixed[i] = a.fixed ? 1 : 0;
      if (!labelIndex.has(a.entityType)) labelIndex.set(a.entityType, labelIndex.size);
      groups[i] = labelIndex.get(a.entityType)!;
    });
    const edges = new Uint32Array(g.size * 2);
    let e = 0;
    g.forEachEdge((_k, _a, s, t) => {
      if (s === t) return;
      edges[e++] = index.get(s)!;
      edges[e++] = index.get(t)!;
    });
    let labels: LayoutRequest['labels'];
    const view = this.viewSize?.();
    if (this.labelExtent && view && n <= SPREAD_BELOW) {
      const extents = new Float32Array(n * 3);
      this.order.forEach((node, i) => extents.set(this.labelExtent!(node), i * 3));
      labels = { extents, width: view.width, height: view.height };
    }
    const id = ++this.seq;
    const request: LayoutRequest = {
      type: 'run',
      id,
      algorithm,
      positions,
      sizes,
      fixed,
      edges: edges.subarray(0, e),
      groups,
      root: root !== null && index.has(root) ? index.get(root)! : this.hub(),
      // Fewer, costlier (Barnes-Hut) iterations as the graph grows.
      iterations: opts.spreadOnly ? 0 : n <= 150 ? 500 : n <= 1000 ? 300 : 150,
      ...(labels && algorithm === 'force' ? { labels } : {}),
    };
    if (opts.spreadOnly && !request.labels) return Promise.resolve();
    this.onRun?.();
    this.running = true;
    this.done = 0;
    this.total = request.iterations;
    this.runs++;
    this.onProgress?.(0, this.total, true);
    const transfer = [positions.buffer, sizes.buffer, fixed.buffer, request.edges.buffer, groups.buffer];
    if (request.labels) transfer.push(request.labels.extents.buffer);
    // The worker starts once the frame showing the new nodes is on screen: running, it would take
    // a core from drawing that frame (software WebGL draws on the same few cores).
    requestAnimationFrame(() => setTimeout(() => {
      if (id === this.seq && this.running) this.ensureWorker().postMessage(request, transfer);
    }, 0));
    return new Promise((resolve) => (this.resolve = resolve));
  }

  /** The node with the most relationships (the radial layout's default centre). */
  private hub(): number {
    let best = 0;
    let bestDegree = -1;
    this.order.forEach((id, i) => {
      const d = this.graph.degree(id);
      if (d > bestDegree) [best, bestDegree] = [i, d];
    });
    return best;
  }

  stop(): void {
    if (this.running) this.worker?.postMessage({ type: 'stop', id: this.seq });
    this.finish();
  }

  /** How long the page's last frame took to draw (ms): positions are applied no faster than it keeps up. */
  frameCost: (() => number) | undefined;
  private pending: LayoutProgress | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastApplied = 0;

  private receive(msg: LayoutProgress): void {
    if (msg.id !== this.seq || !this.running) return;
    // Every application redraws the whole graph; with software WebGL and thousands of nodes that
    // takes a while, so intermediate positions wait until the page has had three frames' time to
    // breathe (input first), and only the newest are drawn.
    if (msg.type === 'progress') {
      this.done = msg.done;
      this.onProgress?.(msg.done, msg.total, true);
      // Past 2,000 nodes re-uploading every position costs the page seconds in software WebGL:
      // only the final positions are drawn there.
      if (this.graph.order > 2000) return;
      this.pending = msg;
      const breathe = Math.min(2000, 3 * (this.frameCost?.() ?? 0));
      const wait = this.lastApplied + breathe - performance.now();
      if (wait <= 0) this.applyPending();
      else this.timer ??= setTimeout(() => this.applyPending(), wait);
      return;
    }
    this.pending = null;
    this.apply(msg);
  }

  private applyPending(): void {
    this.timer = undefined;
    const msg = this.pending;
    this.pending = null;
    if (msg && msg.id === this.seq && this.running) this.apply(msg);
  }

  private apply(msg: LayoutProgress): void {
    this.lastApplied = performance.now();
    const index = new Map<string, number>();
    this.order.forEach((id, i) => index.set(id, i));
    const p = msg.positions;
    // One batch update: sigma re-indexes once per message, not once per node.
    this.graph.updateEachNodeAttributes((node, a) => {
      const i = index.get(node);
      if (i === undefined || node === this.held || !Number.isFinite(p[i * 2]!)) return a;
      a.x = p[i * 2]!;
      a.y = p[i * 2 + 1]!;
      return a;
    }, { attributes: ['x', 'y'] });
    this.onApplied?.();
    this.done = msg.done;
    this.total = msg.total;
    if (msg.type === 'done') this.finish();
    else this.onProgress?.(msg.done, msg.total, true);
  }

  private finish(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = null;
    const was = this.running;
    this.running = false;
    const resolve = this.resolve;
    this.resolve = null;
    resolve?.();
    if (was) this.onProgress?.(this.done, this.total, false);
  }
}
