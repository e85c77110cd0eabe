// graphology-layout-forceatlas2's single-iteration function, which the layout worker runs in slices.
declare module 'graphology-layout-forceatlas2/iterate.js' {
  export default function iterate(settings: Record<string, unknown>, nodes: Float32Array, edges: Float32Array): void;
}
