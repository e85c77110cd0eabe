/**
 * What `kgrag ask` returns, and the pieces that flow between the planner, retrieval and answer
 * stages. No behaviour here.
 */
import type { SearchResult } from '../domain/types.ts';
import type { Params, Row } from '../graph/executor.ts';

/**
 * structured: exact answer from Cypher; semantic: from retrieved passages; hybrid: both; overview:
 * from the communities of the entity graph (a whole-collection question); none: nothing could be mapped or found.
 */
export type Strategy = 'structured' | 'semantic' | 'hybrid' | 'overview' | 'none';

/** One reading of an uncertain question: what it would ask, and the read-only Cypher that would answer it. */
export interface Interpretation {
  description: string;
  cypher: string;
  params: Params;
}

/** A passage an answer rests on. `n` is the number used in the answer text ("[1]"). */
export interface Citation {
  n: number;
  documentId: string;
  title: string;
  source: string;
  page: number | null;
  chunkId: string;
  /** The sentence(s) of the chunk that support the answer, verbatim. */
  quote: string;
}

/** A statement that ran (or was generated and refused), with its parameters. */
export interface CypherRun {
  query: string;
  params: Params;
  /** Who wrote it: the semantic parser, the LLM, or retrieval's graph expansion. */
  origin: 'parser' | 'llm' | 'expansion';
  rows?: number;
  ms?: number;
  /** Set when it was refused or failed (and, for the LLM, repaired). */
  error?: string;
}

/** A relationship between two entities used as context, with the chunks that support it. */
export interface GraphFact {
  subjectId: string;
  subject: string;
  subjectType: string;
  predicate: string;
  objectId: string;
  object: string;
  objectType: string;
  /** Relationship properties worth showing (role, since, price…). */
  properties: Record<string, unknown>;
  /** Chunk ids the relationship was extracted from; empty for imported records. */
  chunkIds: string[];
}

export interface PlanStep {
  /** parse, cypher, llm-cypher, retrieve, expand, answer… */
  kind: string;
  detail: string;
  ms?: number;
}

export interface AskResult {
  question: string;
  answer: string;
  /** False when the knowledge base did not contain the answer (the answer text says so). */
  found: boolean;
  citations: Citation[];
  facts: GraphFact[];
  cypher: CypherRun[];
  /** Rows of the structured query (display values: nodes reduced to their name and key properties). */
  rows: Row[];
  /**
   * `alternatives`: with strategy `none`, up to three readings of the question the parser was not
   * sure of, most likely first ("did you mean"); none of them was run as the answer.
   */
  plan: { strategy: Strategy; steps: PlanStep[]; message?: string; alternatives?: Interpretation[] };
  timings: Record<string, number>;
}

/** A retrieved or expanded passage, before it becomes a citation. `score`: higher is better, within one context. */
export interface ContextPassage extends Omit<SearchResult, 'collection'> {
  /** How it got here: a search hit, the chunk before/after a hit, or a chunk mentioning a linked entity. */
  via: 'search' | 'neighbour' | 'entity';
}

/** The context of an open question: ranked passages and entity relationships, within a budget. */
export interface RetrievedContext {
  passages: ContextPassage[];
  facts: GraphFact[];
  /** Entities named in the question or mentioned by top passages, most relevant first. */
  entities: Array<{ id: string; name: string; type: string }>;
  cypher: CypherRun[];
}
