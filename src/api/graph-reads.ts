import { cypher } from '../graph/cypher.ts';
import type { EntitySummary } from '../graph/entities.ts';
import { int, type GraphExecutor } from '../graph/executor.ts';

/** The API's own reads (filters, sorting and neighbourhoods the CLI has no use for); Cypher in cypher/api. */

export const ENTITY_SORTS = ['mentions', 'name', 'name_desc'] as const;
export type EntitySort = (typeof ENTITY_SORTS)[number];

export async function findEntities(
  db: GraphExecutor,
  collections: string[],
  opts: { type?: string | undefined; q?: string | undefined; sort: EntitySort; skip: number; limit: number },
): Promise<EntitySummary[]> {
  return (await db.read(cypher('api/entities'), {
    collections,
    type: opts.type ?? null,
    q: opts.q ?? null,
    sort: opts.sort,
    skip: int(opts.skip),
    limit: int(opts.limit),
  })) as unknown as EntitySummary[];
}

export interface GraphNode {
  id: string;
  name: string;
  type: string;
  collection: string;
}

export interface GraphEdge {
  type: string;
  source: string;
  target: string;
  confidence: number | null;
}

export interface Neighbourhood {
  center: GraphNode;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** True when a cap cut the neighbourhood short: more nodes or relationships exist within the hops. */
  truncated: boolean;
}

/**
 * The entities within `hops` relationships of one entity, breadth first, at most `maxNodes` nodes
 * and `maxEdges` relationships. Null when the entity is not in the caller's collections.
 */
export async function neighbourhood(
  db: GraphExecutor,
  id: string,
  collections: string[],
  opts: { hops: number; maxNodes: number; maxEdges: number },
): Promise<Neighbourhood | null> {
  const [row] = await db.read(cypher('api/entity-node'), { id, collections });
  if (!row) return null;
  const center = row.node as GraphNode;
  const nodes = new Map<string, GraphNode>([[center.id, center]]);
  const edges = new Map<string, GraphEdge>();
  let frontier = [center.id];
  let truncated = false;
  for (let hop = 0; hop < opts.hops && frontier.length > 0 && !truncated; hop++) {
    const budget = opts.maxEdges - edges.size;
    const rows = await db.read(cypher('api/neighbours'), { frontier, collections, limit: int(budget + 1) });
    if (rows.length > budget) truncated = true;
    const next: string[] = [];
    for (const r of rows.slice(0, budget)) {
      const node = r.node as GraphNode;
      if (!nodes.has(node.id)) {
        if (nodes.size >= opts.maxNodes) {
          truncated = true;
          continue;
        }
        nodes.set(node.id, node);
        next.push(node.id);
      }
      const edge: GraphEdge = { type: r.type as string, source: r.source as string, target: r.target as string, confidence: (r.confidence as number | null) ?? null };
      edges.set(`${edge.source}|${edge.type}|${edge.target}`, edge);
    }
    frontier = next;
  }
  return { center, nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}
