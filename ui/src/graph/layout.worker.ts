/**
 * The layout worker: ForceAtlas2 (and the immediate radial, grouped and circle layouts) off the
 * main thread. ForceAtlas2 runs in slices of 40 ms (120 ms past 2,000 nodes); after each slice the positions go back to the
 * page (which draws them, so the layout is seen converging) and the worker yields, so a `stop` for
 * this run, or a newer run, is read between slices. Built as its own bundle (ui/build.mjs): the
 * page's CSP allows workers only from the server's own scripts, never from blobs.
 */
import iterate from 'graphology-layout-forceatlas2/iterate.js';
import type { LayoutProgress, LayoutRequest, LayoutStop } from './layout-protocol.ts';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<LayoutRequest | LayoutStop>) => void) | null;
  postMessage(message: LayoutProgress, transfer: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

const PPN = 10; // graphology-layout-forceatlas2's node matrix stride
const PPE = 3;
let current = 0;

scope.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.type === 'stop') {
    if (msg.id === current) current = 0;
    return;
  }
  current = msg.id;
  if (msg.algorithm === 'force') force(msg);
  else finish(msg.id, immediate(msg), 1, 1);
};

function finish(id: number, positions: Float32Array, done: number, total: number, type: 'progress' | 'done' = 'done'): void {
  scope.postMessage({ type, id, done, total, positions }, [positions.buffer]);
}

function force(req: LayoutRequest): void {
  const n = req.sizes.length;
  const nodes = new Float32Array(n * PPN);
  for (let i = 0; i < n; i++) {
    const j = i * PPN;
    nodes[j] = req.positions[i * 2]!;
    nodes[j + 1] = req.positions[i * 2 + 1]!;
    nodes[j + 6] = 1; // mass: 1 + degree, as graphology's own matrices
    nodes[j + 7] = 1;
    nodes[j + 8] = req.sizes[i]!;
    nodes[j + 9] = req.fixed[i]!;
  }
  const m = req.edges.length / 2;
  const edges = new Float32Array(m * PPE);
  for (let e = 0; e < m; e++) {
    const s = req.edges[e * 2]!;
    const t = req.edges[e * 2 + 1]!;
    edges[e * PPE] = s * PPN;
    edges[e * PPE + 1] = t * PPN;
    edges[e * PPE + 2] = 1;
    nodes[s * PPN + 6]! += 1;
    nodes[t * PPN + 6]! += 1;
  }
  // graphology-layout-forceatlas2's inferSettings, with Barnes-Hut from a few hundred nodes on.
  const settings = {
    linLogMode: false, outboundAttractionDistribution: false, adjustSizes: false, edgeWeightInfluence: 1,
    scalingRatio: 10, strongGravityMode: true, gravity: 0.05, slowDown: 1 + Math.log(Math.max(n, 1)),
    barnesHutOptimize: n > 400, barnesHutTheta: 0.6,
  };
  // Each slice's positions cost the page a redraw of the whole graph: fewer, longer slices when large.
  const sliceMs = n > 2000 ? 120 : 40;
  const spreadRounds = req.labels ? SPREAD_ROUNDS : 0;
  const total = req.iterations + spreadRounds;
  let done = 0;
  const slice = () => {
    if (current !== req.id) return; // stopped, or replaced by a newer run
    const t0 = performance.now();
    while (done < req.iterations && performance.now() - t0 < sliceMs) {
      iterate(settings, nodes, edges);
      done++;
    }
    const out = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      out[i * 2] = nodes[i * PPN]!;
      out[i * 2 + 1] = nodes[i * PPN + 1]!;
    }
    if (done >= req.iterations && req.labels) {
      spread(out, req.fixed, req.labels);
      done = total;
    }
    if (done >= total) {
      current = 0;
      finish(req.id, out, done, total);
    } else {
      finish(req.id, out, done, total, 'progress');
      setTimeout(slice, 0);
    }
  };
  slice();
}

const SPREAD_ROUNDS = 80;
const MARGIN = 60; // twice sigma's stage padding

/**
 * Moves nodes apart until no node-with-label box overlaps another, at the scale sigma will fit the
 * graph into the view (recomputed every round, as spreading grows the graph). A sweep along x keeps
 * each round near linear for the few hundred nodes this runs on.
 */
function spread(pos: Float32Array, fixed: Uint8Array, labels: { extents: Float32Array; width: number; height: number }): void {
  const n = fixed.length;
  const ext = labels.extents; // r, w, h per node
  const W = Math.max(1, labels.width - MARGIN);
  const H = Math.max(1, labels.height - MARGIN);
  // Labels that cannot all fit (a narrow view) would only push the graph into a thin band.
  let area = 0;
  for (let i = 0; i < n; i++) area += (ext[i * 3 + 1]! + ext[i * 3]! * 2) * Math.max(ext[i * 3 + 2]!, ext[i * 3]! * 2);
  if (area > W * H * 0.7) return;
  const order = [...Array(n).keys()];
  const flip = new Uint8Array(n);
  for (let round = 0; round < SPREAD_ROUNDS; round++) {
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      minX = Math.min(minX, pos[i * 2]!); maxX = Math.max(maxX, pos[i * 2]!);
      minY = Math.min(minY, pos[i * 2 + 1]!); maxY = Math.max(maxY, pos[i * 2 + 1]!);
    }
    // The scale sigma fits the graph at (its larger side into the view's smaller side, at most).
    const s = Math.min(W, H) / Math.max(maxX - minX, maxY - minY, 1e-6);
    // A label that would leave the view on the right is drawn on the left of its node.
    for (let i = 0; i < n; i++) flip[i] = (pos[i * 2]! - minX) * s + ext[i * 3]! + 4 + ext[i * 3 + 1]! > W + MARGIN / 2 ? 1 : 0;
    const left = (i: number) => pos[i * 2]! - (ext[i * 3]! + 2 + (flip[i] ? ext[i * 3 + 1]! + 2 : 0)) / s;
    const right = (i: number) => pos[i * 2]! + (ext[i * 3]! + 4 + (flip[i] ? 0 : ext[i * 3 + 1]!)) / s;
    const half = (i: number) => (Math.max(ext[i * 3 + 2]!, ext[i * 3]! * 2) / 2 + 2) / s;
    order.sort((a, b) => left(a) - left(b));
    let moved = false;
    for (let a = 0; a < n; a++) {
      const i = order[a]!;
      const ri = right(i);
      for (let b = a + 1; b < n; b++) {
        const j = order[b]!;
        if (left(j) >= ri) break;
        const dy = pos[j * 2 + 1]! - pos[i * 2 + 1]!;
        const oy = half(i) + half(j) - Math.abs(dy);
        if (oy <= 0) continue;
        const ox = Math.min(ri, right(j)) - Math.max(left(i), left(j));
        if (ox <= 0) continue;
        moved = true;
        // Apart along the axis of the smaller overlap: for wide label boxes mostly up and down.
        const [wi, wj] = fixed[i] ? [0, 1] : fixed[j] ? [1, 0] : [0.5, 0.5];
        if (oy < ox) {
          const d = (oy + 0.5 / s) * (dy >= 0 ? 1 : -1);
          pos[i * 2 + 1]! -= d * wi;
          pos[j * 2 + 1]! += d * wj;
        } else {
          const d = (ox + 0.5 / s) * (pos[j * 2]! >= pos[i * 2]! ? 1 : -1);
          pos[i * 2]! -= d * wi;
          pos[j * 2]! += d * wj;
        }
      }
    }
    if (!moved) break;
  }
}

/** Radial (rings of hops around a root), grouped (one disc per label) and circle layouts. */
function immediate(req: LayoutRequest): Float32Array {
  const n = req.sizes.length;
  const out = new Float32Array(n * 2);
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  for (let e = 0; e < req.edges.length; e += 2) {
    neighbours[req.edges[e]!]!.push(req.edges[e + 1]!);
    neighbours[req.edges[e + 1]!]!.push(req.edges[e]!);
  }
  const place = (i: number, r: number, angle: number, cx = 0, cy = 0) => {
    out[i * 2] = cx + r * Math.cos(angle);
    out[i * 2 + 1] = cy + r * Math.sin(angle);
  };
  if (req.algorithm === 'circle') {
    // Grouped by label around the circle, so colours form arcs.
    const order = [...Array(n).keys()].sort((a, b) => req.groups[a]! - req.groups[b]! || a - b);
    order.forEach((i, k) => place(i, Math.max(10, n * 1.2), (k / n) * Math.PI * 2));
    return out;
  }
  if (req.algorithm === 'grouped') {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const g = req.groups[i]!;
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(i);
    }
    const list = [...groups.values()].sort((a, b) => b.length - a.length);
    const spacing = 10;
    const radii = list.map((members) => spacing * Math.sqrt(members.length) + spacing);
    const ring = list.length > 1 ? radii.reduce((s, r) => s + r, 0) / Math.PI + radii[0]! : 0;
    list.forEach((members, g) => {
      const a = (g / list.length) * Math.PI * 2;
      const cx = ring * Math.cos(a);
      const cy = ring * Math.sin(a);
      // A sunflower spiral fills each disc evenly.
      members.forEach((i, k) => place(i, spacing * Math.sqrt(k + 0.5), k * 2.39996323, cx, cy));
    });
    return out;
  }
  // Radial: breadth first from the root; each ring ordered by its parents' angles (fewer crossings).
  // Nodes the root does not reach share one outer ring.
  const depth = new Int32Array(n).fill(-1);
  const angle = new Float64Array(n);
  const root = req.root >= 0 && req.root < n ? req.root : 0;
  depth[root] = 0;
  place(root, 0, 0);
  let ring = [root];
  let radius = 0;
  while (ring.length > 0) {
    const next: number[] = [];
    for (const p of ring) for (const q of neighbours[p]!) if (depth[q] === -1) {
      depth[q] = depth[p]! + 1;
      angle[q] = angle[p]!;
      next.push(q);
    }
    if (next.length === 0) for (let i = 0; i < n; i++) if (depth[i] === -1) {
      depth[i] = Number.MAX_SAFE_INTEGER;
      next.push(i);
    }
    if (next.length === 0) break;
    next.sort((a, b) => angle[a]! - angle[b]!);
    radius = Math.max(radius + 40, (next.length * 8) / (Math.PI * 2));
    next.forEach((i, k) => {
      angle[i] = (k / next.length) * Math.PI * 2;
      place(i, radius, angle[i]!);
    });
    ring = next.filter((i) => depth[i] !== Number.MAX_SAFE_INTEGER);
  }
  return out;
}
