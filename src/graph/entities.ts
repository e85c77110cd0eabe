import type { ChunkExtraction } from '../extraction/types.ts';
import { chunkSource, factSourceMarker, parseFacts, type Fact } from '../domain/facts.ts';
import { GroupLookup } from '../resolution/group-lookup.ts';
import {
  canonicalType,
  clusterDocument,
  resolveClustered,
  type EntityLookup,
  type ExistingEntity,
  type MentionWrite,
  type ResolutionPlan,
} from '../resolution/resolver.ts';
import { fillNames, guessNameProperty } from './catalog.ts';
import { cypher } from './cypher.ts';
import { RESERVED_LABELS, isKgragLabel } from './names.ts';
import { int, type GraphExecutor, type TxRunner } from './executor.ts';
import { toLuceneQuery } from './search.ts';

/** Entity candidates per fuzzy lookup: enough to find a near-duplicate among namesakes. */
const CANDIDATES = 10;

/** Nodes sampled per label to find a graph's display-name property. */
const NAME_SAMPLE = 500;
/** A display name identifies its node: at least this share of the sampled values are distinct. */
const UNIQUE_ENOUGH = 0.9;

/**
 * The property that names the nodes of one label of a graph kgrag did not build: a string that
 * most nodes have, whose values are (nearly) unique — what a name is, structurally — and among
 * such, the one the catalog's display-name rule prefers (name, title, …Name). None: no linking.
 */
async function graphNameProperty(tx: TxRunner, label: string): Promise<string | undefined> {
  const rows = await tx.run(fillNames(cypher('entities/graph-name-keys'), { __LABEL__: label }), { sampleSize: int(NAME_SAMPLE) });
  const sampled = Number(rows[0]?.sampled ?? 0);
  if (sampled === 0) return undefined;
  const unique = rows
    .filter((r) => Number(r.distinct) >= UNIQUE_ENOUGH * Number(r.present))
    .map((r) => ({ name: String(r.key), types: ['STRING'], count: Number(r.present), samples: [] }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  return guessNameProperty(unique, sampled);
}

/** The resolver's view of one collection, read inside the writing transaction (so it sees earlier documents). */
function lookupIn(tx: TxRunner, collection: string, graph: boolean): EntityLookup {
  const nameKeys = new Map<string, Promise<string | undefined>>();
  let labels: Promise<string[]> | undefined;
  return {
    ...(graph
      ? {
          async graphNodes(type: string, names: string[]) {
            if (names.length === 0) return [];
            // The graph's labels of this type: the type itself, or a synonym of it (`Company` for Organization).
            labels ??= tx.run(cypher('catalog/labels')).then((rows) => rows.map((r) => String(r.label)));
            const ofType = (await labels).filter((l) => !isKgragLabel(l) && !RESERVED_LABELS.has(l) && canonicalType(l) === type);
            const found: Array<{ id: string; name: string }> = [];
            for (const label of ofType) {
              if (!nameKeys.has(label)) nameKeys.set(label, graphNameProperty(tx, label));
              const key = await nameKeys.get(label);
              if (!key) continue;
              const query = fillNames(cypher('entities/graph-nodes'), { __LABEL__: label, __NAME__: key });
              found.push(...((await tx.run(query, { names, limit: int(names.length * 2 + 1) })) as Array<{ id: string; name: string }>));
            }
            return found;
          },
        }
      : {}),
    async byNormalizedNames(items) {
      return (await tx.run(cypher('entities/by-normalized-names'), { collection, items })) as unknown as ExistingEntity[];
    },
    async candidates(items) {
      const queries = items.map((it, i) => ({ i: int(i), type: it.type, query: toLuceneQuery(it.name) })).filter((q) => q.query);
      const out: ExistingEntity[][] = items.map(() => []);
      if (queries.length === 0) return out;
      const rows = await tx.run(cypher('entities/candidates'), { collection, items: queries, limit: int(CANDIDATES) });
      for (const row of rows) out[row.i as number] = row.candidates as ExistingEntity[];
      return out;
    },
  };
}

/** Resolves a document's extractions against the collection and writes entities, mentions and relationships. */
export async function writeDocumentGraph(
  tx: TxRunner,
  collection: string,
  documentId: string,
  extractions: ChunkExtraction[],
): Promise<ResolutionPlan['stats']> {
  return (await writeDocumentsGraph(tx, collection, [{ documentId, extractions }]))[0]!;
}

/**
 * The same for several documents of one collection, resolved in order (each sees the entities of
 * the earlier ones) with the graph's look-ups and writes made for the whole group at once: a few
 * statements per group instead of a few per document (see GroupLookup). Stats per document, in order.
 */
export async function writeDocumentsGraph(
  tx: TxRunner,
  collection: string,
  docs: ReadonlyArray<{ documentId: string; extractions: ChunkExtraction[] }>,
): Promise<Array<ResolutionPlan['stats']>> {
  const [state] = await tx.run(cypher('documents/has-graph'));
  const lookup = new GroupLookup(lookupIn(tx, collection, state?.graph === true), async (entities) => {
    await tx.run(cypher('entities/upsert'), { collection, entities });
  }, CANDIDATES);
  const clustered = docs.map((d) => clusterDocument(d.extractions));
  await lookup.prefetch(clustered.flatMap((c) => c.needs));
  const plans: ResolutionPlan[] = [];
  for (const doc of clustered) {
    const plan = await resolveClustered(collection, doc, lookup);
    lookup.applied(plan.entities);
    plans.push(plan);
  }
  // Mentions and relationships read no entity look-up: they are written after all the entities.
  await lookup.flush();
  const count = (m: MentionWrite) => ({ ...m, count: int(m.count) });
  for (const [file, mentions] of [['entities/mentions', plans.flatMap((p) => p.mentions)], ['entities/graph-mentions', plans.flatMap((p) => p.graphMentions)]] as const) {
    if (mentions.length) await tx.run(cypher(file), { mentions: mentions.map(count) });
  }
  const relations = plans.flatMap((p, i) => p.relations.map((r) => ({ ...r, documentId: docs[i]!.documentId })));
  if (relations.length) await tx.run(cypher('entities/relations'), { relations });
  return plans.map((p) => p.stats);
}

/**
 * Withdraws everything a document contributed to the knowledge graph — relationship claims,
 * facts, and entities nothing else supports — and deletes its chunks (unless `keepChunks`, used
 * when only the extraction is redone). Runs inside the caller's transaction.
 */
export async function removeDocumentGraph(tx: TxRunner, documentId: string, opts: { keepChunks?: boolean } = {}): Promise<void> {
  const [row] = await tx.run(cypher('entities/document-entities'), { documentId });
  const entityIds = (row?.ids as string[] | undefined) ?? [];
  const chunkPrefix = `${documentId}:`;
  const factMarker = factSourceMarker(chunkSource(chunkPrefix));
  if (entityIds.length) await tx.run(cypher('entities/cleanup-relations'), { documentId, chunkPrefix, factMarker });
  if (opts.keepChunks) await tx.run(cypher('entities/delete-mentions'), { documentId });
  else await tx.run(cypher('ingest/delete-chunks'), { documentId });
  if (entityIds.length) await tx.run(cypher('entities/cleanup-entities'), { entityIds, factMarker });
}

export interface EntitySummary {
  id: string;
  collection: string;
  type: string;
  name: string;
  aliases: number;
  mentions: number;
  imported: boolean;
}

export async function listEntities(
  db: GraphExecutor,
  collections: string[],
  opts: { type?: string; skip?: number; limit?: number } = {},
): Promise<EntitySummary[]> {
  return (await db.read(cypher('entities/list'), {
    collections,
    type: opts.type ?? null,
    skip: int(opts.skip ?? 0),
    limit: int(opts.limit ?? 100),
  })) as unknown as EntitySummary[];
}

export interface EntityDetail {
  entity: Record<string, unknown> & { id: string; name: string; type: string; collection: string; aliases: string[]; labels: string[] };
  /** Every value each source claimed, so disagreements stay visible. */
  facts: Fact[];
  mentions: Array<{
    chunkId: string;
    documentId: string;
    title: string;
    source: string;
    page: number | null;
    surfaces: string[];
    count: number;
    method: string;
    score: number;
    quote: string;
  }>;
  relationships: Array<{
    type: string;
    direction: 'out' | 'in';
    other: { id: string; name: string; type: string };
    properties: Record<string, unknown>;
    facts: Fact[];
    sources: string[];
    importSources: string[];
  }>;
}

/** An entity with its aliases, facts, the passages that mention it and how each was linked, and its relationships. */
export async function getEntity(db: GraphExecutor, id: string, collections: string[], limit = 200): Promise<EntityDetail | null> {
  const [row] = await db.read(cypher('entities/get'), { id, collections });
  if (!row) return null;
  const { facts, aliasKeys: _aliasKeys, normalizedName: _n, ...entity } = row.entity as Record<string, unknown>;
  const mentions = await db.read(cypher('entities/get-mentions'), { id, collections, limit: int(limit) });
  const rels = await db.read(cypher('entities/get-relationships'), { id, collections, limit: int(limit) });
  return {
    entity: { aliases: [], ...entity } as unknown as EntityDetail['entity'],
    facts: parseFacts(facts),
    mentions: mentions.map((m) => ({
      ...(m as unknown as Omit<EntityDetail['mentions'][number], 'quote'>),
      quote: quoteAround(m.text as string, (m.surfaces as string[])[0] ?? ''),
    })),
    relationships: rels.map((r) => {
      const { facts: relFacts, sources, importSources, documentIds: _d, ...properties } = r.properties as Record<string, unknown>;
      return {
        type: r.type as string,
        direction: r.outgoing ? ('out' as const) : ('in' as const),
        other: { id: r.otherId as string, name: r.otherName as string, type: r.otherType as string },
        properties,
        facts: parseFacts(relFacts),
        sources: (sources as string[] | undefined) ?? [],
        importSources: (importSources as string[] | undefined) ?? [],
      };
    }),
  };
}

/** The sentence-sized piece of a chunk around the first occurrence of `surface`. */
export function quoteAround(text: string, surface: string, width = 240): string {
  const at = surface ? text.toLowerCase().indexOf(surface.toLowerCase()) : -1;
  if (at < 0 || text.length <= width) return text.length <= width ? text : text.slice(0, width) + '…';
  const start = Math.max(0, at - Math.floor((width - surface.length) / 2));
  const end = Math.min(text.length, start + width);
  return (start > 0 ? '…' : '') + text.slice(start, end) + (end < text.length ? '…' : '');
}

export async function reextractDocument(
  db: GraphExecutor,
  collection: string,
  documentId: string,
  extractions: ChunkExtraction[],
): Promise<ResolutionPlan['stats']> {
  return db.writeTx(async (tx) => {
    await removeDocumentGraph(tx, documentId, { keepChunks: true });
    return writeDocumentGraph(tx, collection, documentId, extractions);
  });
}
