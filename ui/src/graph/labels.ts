/**
 * Label placement: node names and relationship types drawn on the canvas without overlapping.
 * Candidates come in priority order (the selection, hovered and highlighted nodes and their
 * relationships first, then by degree). Each tries eight spots around its node (or 21 along its
 * relationship) and takes the first that is inside the view and free of every label placed before
 * it, preferring spots that cover no other node. A label that finds no free spot is not drawn,
 * unless it is forced (the selection and its neighbours are always named).
 */

export interface LabelItem {
  key: string;
  kind: 'node' | 'edge';
  text: string;
  /** Node centre and radius, or the relationship's two ends (x2, y2), in viewport pixels. */
  x: number;
  y: number;
  r: number;
  x2?: number;
  y2?: number;
  forced: boolean;
  /** Drawn emphasised (selection, highlighted answer). */
  strong: boolean;
}

/** A drawn label's box in viewport pixels (tests measure overlap and size from these). */
export interface LabelBox {
  key: string;
  kind: 'node' | 'edge';
  text: string;
  x: number;
  y: number;
  w: number;
  h: number;
  fontSize: number;
  strong: boolean;
}

export const NODE_FONT = 12;
export const EDGE_FONT = 11;
const PAD = 2;
const CELL = 48;
const MAX_CHARS = 28;
const MAX_CHARS_NARROW = 18;
const AVOID_NODES_BELOW = 600;

/** A label cut to fit: shorter on a narrow canvas (a phone), where room is scarcer. */
export function shorten(text: string, viewWidth = Infinity): string {
  const max = viewWidth < 560 ? MAX_CHARS_NARROW : MAX_CHARS;
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** A uniform grid of boxes: overlap queries look only at the cells a box covers. */
class BoxGrid {
  private readonly cells = new Map<number, Array<{ x: number; y: number; w: number; h: number }>>();
  private cellsOf(b: { x: number; y: number; w: number; h: number }, visit: (k: number) => boolean | void): void {
    for (let cx = Math.floor(b.x / CELL); cx <= Math.floor((b.x + b.w) / CELL); cx++) {
      for (let cy = Math.floor(b.y / CELL); cy <= Math.floor((b.y + b.h) / CELL); cy++) if (visit(cx * 100_003 + cy) === true) return;
    }
  }
  add(b: { x: number; y: number; w: number; h: number }): void {
    this.cellsOf(b, (k) => {
      const list = this.cells.get(k);
      if (list) list.push(b);
      else this.cells.set(k, [b]);
    });
  }
  /** How many boxes `b` overlaps, roughly (stops counting at `limit`). */
  hits(b: { x: number; y: number; w: number; h: number }, limit = 1): number {
    // A box spanning two cells may count twice: harmless for "any overlap" and for "how many, roughly".
    let n = 0;
    this.cellsOf(b, (k) => {
      for (const o of this.cells.get(k) ?? []) {
        if (o.x < b.x + b.w && b.x < o.x + o.w && o.y < b.y + b.h && b.y < o.y + o.h && ++n >= limit) return true;
      }
      return false;
    });
    return n;
  }
}

/**
 * Places labels in order. `nodes` are the discs drawn (labels prefer not to cover them), `width`
 * measures text at a font size. `budget` caps the labels that are not forced; `reserved` are areas
 * covered by controls.
 */
export function placeLabels(
  items: LabelItem[],
  nodes: Array<{ x: number; y: number; r: number }>,
  view: { width: number; height: number },
  width: (text: string, fontSize: number) => number,
  budget: number,
  reserved: Array<{ x: number; y: number; w: number; h: number }> = [],
): LabelBox[] {
  const placed = new BoxGrid();
  for (const r of reserved) placed.add(r); // controls over the canvas: no label goes under them
  // Keeping labels off other nodes matters where there is room; among thousands it costs more than it gives.
  const discs = new BoxGrid();
  if (nodes.length <= AVOID_NODES_BELOW) for (const n of nodes) discs.add({ x: n.x - n.r, y: n.y - n.r, w: n.r * 2, h: n.r * 2 });
  const out: LabelBox[] = [];
  let free = 0;
  for (const item of items) {
    if (!item.forced && free >= budget) continue;
    const fontSize = item.kind === 'node' ? NODE_FONT : EDGE_FONT;
    const w = width(item.text, fontSize) + PAD * 2;
    const h = fontSize + PAD * 2;
    let best: { x: number; y: number } | null = null;
    let bestScore = Infinity;
    for (const [x, y] of spots(item, w, h)) {
      const box = { x, y, w, h };
      if (x < 0 || y < 0 || x + w > view.width || y + h > view.height) continue;
      const overlaps = placed.hits(box, 1);
      if (overlaps === 0) {
        // Covering other nodes is allowed, but a clear spot is better.
        const covered = item.kind === 'node' ? discs.hits({ x: x + 1, y: y + 1, w: w - 2, h: h - 2 }, 3) : 0;
        if (covered === 0) {
          best = { x, y };
          bestScore = 0;
          break;
        }
        if (covered < bestScore) {
          best = { x, y };
          bestScore = covered;
        }
      } else if (item.forced && best === null) {
        best = { x, y }; // drawn even so: the selection is always named
        bestScore = 1000;
      }
    }
    if (!best) continue;
    const box = { x: best.x, y: best.y, w, h };
    placed.add(box);
    out.push({ key: item.key, kind: item.kind, text: item.text, ...box, fontSize, strong: item.strong });
    if (!item.forced) free++;
  }
  return out;
}

/** Candidate top-left corners: right, left, below, above and the diagonals for a node; along the line for a relationship. */
function spots(item: LabelItem, w: number, h: number): Array<[number, number]> {
  if (item.kind === 'edge') {
    const x2 = item.x2 ?? item.x;
    const y2 = item.y2 ?? item.y;
    // Along the line from the middle outwards, on it and just beside it.
    const len = Math.hypot(x2 - item.x, y2 - item.y) || 1;
    const [nx, ny] = [-(y2 - item.y) / len, (x2 - item.x) / len];
    const out: Array<[number, number]> = [];
    for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78]) {
      for (const off of [0, h * 0.8, -h * 0.8]) out.push([item.x + (x2 - item.x) * t + nx * off - w / 2, item.y + (y2 - item.y) * t + ny * off - h / 2]);
    }
    return out;
  }
  const { x, y } = item;
  const r = item.r + 2;
  const d = r * 0.7;
  return [
    [x + r, y - h / 2],
    [x - r - w, y - h / 2],
    [x - w / 2, y + r],
    [x - w / 2, y - r - h],
    [x + d, y + d],
    [x + d, y - d - h],
    [x - d - w, y + d],
    [x - d - w, y - d - h],
  ];
}

/** Draws placed labels on a 2D canvas: dark text on a light halo, relationship types in italics. */
export function drawLabels(ctx: CanvasRenderingContext2D, boxes: LabelBox[], font: string): void {
  ctx.textBaseline = 'middle';
  ctx.lineJoin = 'round';
  for (const b of boxes) {
    ctx.font = `${b.kind === 'edge' ? 'italic ' : ''}${b.strong ? '600 ' : ''}${b.fontSize}px ${font}`;
    if (b.kind === 'edge' || b.strong) {
      ctx.fillStyle = b.strong ? 'rgba(255, 246, 214, 0.95)' : 'rgba(255, 255, 255, 0.9)';
      ctx.fillRect(b.x, b.y, b.w, b.h);
    }
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.92)';
    ctx.lineWidth = 3;
    ctx.strokeText(b.text, b.x + PAD, b.y + b.h / 2);
    ctx.fillStyle = b.kind === 'edge' ? '#52606d' : '#1f2933';
    ctx.fillText(b.text, b.x + PAD, b.y + b.h / 2);
  }
}
