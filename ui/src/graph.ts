/**
 * The graph view, assembled: the sigma view (graph/view.ts) with its on-canvas controls
 * (graph/controls.ts). The rest of the UI imports from here.
 */
import { GraphControls } from './graph/controls.ts';
import type { AskResult } from './api.ts';
import { GraphView as View } from './graph/view.ts';

export { yieldToPage } from './graph/view.ts';

export { colourOf } from './graph/palette.ts';
export type { EdgeAttrs, NodeAttrs } from './graph/view.ts';
export type { LabelBox } from './graph/labels.ts';

export class GraphView extends View {
  readonly controls: GraphControls;

  constructor(container: HTMLElement) {
    super(container);
    this.controls = new GraphControls(this, container.parentElement ?? container);
    // Read-only hooks for the browser tests and ui-bench (label boxes, layout state).
    Object.assign(window, {
      kgragGraph: {
        nodeCount: () => this.nodeCount,
        labelBoxes: () => this.labelBoxes(),
        visibleNodes: () => this.visibleNodes(),
        nodes: () => this.graph.nodes(),
        layoutRunning: () => this.layouts.running,
        layoutRuns: () => this.layouts.runs,
        selection: () => this.selection,
        highlighted: () => this.highlightedNodes,
        screenPosition: (id: string) => this.screenPosition(id),
        hasNode: (id: string) => this.graph.hasNode(id),
        nodeLabel: (id: string) => this.graph.getNodeAttribute(id, 'label'),
        nodeColour: (id: string) => this.graph.getNodeAttribute(id, 'color'),
        neighbours: (id: string) => this.graph.neighbors(id),
        highlightAnswer: (r: AskResult) => this.highlightAnswer(r),
      },
    });
  }
}
