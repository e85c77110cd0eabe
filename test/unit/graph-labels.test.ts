import { describe, expect, it } from 'vitest';
import { placeLabels, shorten, type LabelBox, type LabelItem } from '../../ui/src/graph/labels.ts';

/** The web UI's label placement (ui/src/graph/labels.ts), on its own: no browser needed. */

const width = (text: string, size: number) => text.length * size * 0.6;
const view = { width: 400, height: 300 };

function node(key: string, x: number, y: number, forced = false): LabelItem {
  return { key, kind: 'node', text: `Node ${key}`, x, y, r: 4, forced, strong: forced };
}

function overlapping(boxes: LabelBox[]): number {
  let n = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i]!;
    const b = boxes[j]!;
    if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) n++;
  }
  return n;
}

describe('label placement', () => {
  it('names every node of a sparse view, each label beside its own node, none overlapping', () => {
    const items = Array.from({ length: 20 }, (_, i) => node(String(i), 40 + (i % 4) * 90, 30 + Math.floor(i / 4) * 55));
    const boxes = placeLabels(items, items, view, width, 100);
    expect(boxes).toHaveLength(20);
    expect(overlapping(boxes)).toBe(0);
    for (const b of boxes) {
      const n = items.find((i) => i.key === b.key)!;
      // Within a label's width of its node, inside the view.
      expect(Math.abs(b.x + b.w / 2 - n.x)).toBeLessThan(b.w + n.r + 4);
      expect(Math.abs(b.y + b.h / 2 - n.y)).toBeLessThan(b.h + n.r + 4);
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.w).toBeLessThanOrEqual(view.width);
    }
  });

  it('leaves out labels that find no free spot rather than overlap, except forced ones', () => {
    // Twenty nodes on one spot: one label fits around it per free direction, not twenty.
    const crowd = Array.from({ length: 20 }, (_, i) => node(String(i), 200, 150));
    const boxes = placeLabels(crowd, crowd, view, width, 100);
    expect(boxes.length).toBeLessThan(20);
    expect(overlapping(boxes)).toBe(0);
    const withForced = placeLabels([node('sel', 200, 150, true), ...crowd], crowd, view, width, 100);
    expect(withForced[0]!.key).toBe('sel');
    expect(overlapping(withForced)).toBe(0);
    // Forced labels (the selection and its neighbours) are drawn even without a free spot.
    const forced = Array.from({ length: 12 }, (_, i) => node(`f${i}`, 200, 150, true));
    expect(placeLabels(forced, forced, view, width, 0)).toHaveLength(12);
  });

  it('keeps the budget for labels that are not forced, and keeps clear of reserved areas', () => {
    const items = Array.from({ length: 30 }, (_, i) => node(String(i), 40 + (i % 5) * 70, 40 + Math.floor(i / 5) * 45));
    expect(placeLabels(items, items, view, width, 7)).toHaveLength(7);
    const toolbar = { x: 0, y: 0, w: 400, h: 60 };
    const boxes = placeLabels(items, items, view, width, 100, [toolbar]);
    for (const b of boxes) expect(b.y).toBeGreaterThanOrEqual(toolbar.h);
  });

  it('places relationship types along their relationship', () => {
    const edge: LabelItem = { key: 'e', kind: 'edge', text: 'WORKS_FOR', x: 50, y: 50, x2: 350, y2: 250, r: 0, forced: false, strong: false };
    const [box] = placeLabels([edge], [], view, width, 10);
    expect(box!.x + box!.w / 2).toBeCloseTo(200, 0);
    expect(box!.y + box!.h / 2).toBeCloseTo(150, 0);
  });

  it('cuts long names, more on a narrow canvas', () => {
    const long = 'Design the event schema for the warehouse rollout';
    expect(shorten('Jane Smith')).toBe('Jane Smith');
    expect(shorten(long).length).toBe(28);
    expect(shorten(long, 390).length).toBeLessThanOrEqual(18);
    expect(shorten(long, 390).length).toBeLessThan(shorten(long).length);
    expect(shorten(long).endsWith('…')).toBe(true);
  });
});
