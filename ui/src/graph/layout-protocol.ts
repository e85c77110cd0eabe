/** Messages between the graph view and its layout worker (positions travel as transferable arrays). */

export const LAYOUTS = ['force', 'radial', 'grouped', 'circle'] as const;
export type LayoutName = (typeof LAYOUTS)[number];

export interface LayoutRequest {
  type: 'run';
  id: number;
  algorithm: LayoutName;
  /** x, y of every node, in node order. */
  positions: Float32Array;
  sizes: Float32Array;
  /** 1 for nodes the user has placed by hand: force layouts leave them where they are. */
  fixed: Uint8Array;
  /** Source and target node indexes, two per relationship. */
  edges: Uint32Array;
  /** Index of each node's entity label (grouped layout). */
  groups: Uint16Array;
  /** The radial layout's centre (a node index). */
  root: number;
  /** Force iterations to run (other layouts are immediate). */
  iterations: number;
  /**
   * For a graph small enough to name every node: each node's radius and label width and height in
   * pixels, and the view's width and height. After ForceAtlas2 the worker moves nodes apart until
   * no node with its label (drawn to its right) covers another at the scale the graph will be fitted
   * at, so the labels have room.
   */
  labels?: { extents: Float32Array; width: number; height: number };
}

export interface LayoutStop {
  type: 'stop';
  id: number;
}

export interface LayoutProgress {
  type: 'progress' | 'done';
  id: number;
  done: number;
  total: number;
  positions: Float32Array;
}
