/**
 * `ask`: one question in, one grounded answer out. A question about the whole collection ("What
 * are the main topics?", "Summarise everything about X") is answered from the communities of the
 * entity graph (overview.ts). Otherwise the planner tries, in order:
 *   1. the semantic parser — an exact Cypher answer when the question maps onto the schema with
 *      every content word accounted for;
 *   2. with an LLM configured, text-to-Cypher over the same catalog for what the parser cannot map;
 *   3. hybrid retrieval over the documents plus graph expansion, answered extractively (or by the
 *      LLM), with citations.
 * Whatever runs goes through the guard (read-only, EXPLAIN-checked, capped, timed out, scoped to
 * the caller's collections). When nothing answers, the result says so (`found: false`).
 */
import { extractiveAnswer } from '../answer/extractive.ts';
import { llmAnswer, llmAnswerStream } from '../answer/llm.ts';
import { renderStructured } from '../answer/structured.ts';
import type { QueryEmbedder } from '../embedding/lazy.ts';
import { InputError, KgragError, errorMessage } from '../errors.ts';
import { labelMatcher, type CatalogCache, type SchemaCatalog } from '../graph/catalog.ts';
import { toPlain, type GraphExecutor, type Row } from '../graph/executor.ts';
import type { ChatModel } from '../llm/chat.ts';
import { silentLogger, type Logger } from '../logging.ts';
import { expandContext } from '../retrieval/expand.ts';
import type { Reranker } from '../retrieval/rerank.ts';
import { Retriever } from '../retrieval/search.ts';
import { compile, finishRows, type QuerySpec } from './compile.ts';
import { descriptionSpan, namedIn, withName } from './bridge.ts';
import { runReadOnly } from './guard.ts';
import { ground, type Grounding } from './grounding.ts';
import { answerOverview, overviewRequest } from './overview.ts';
import { parseQuestion, RANKLESS, unexplainedWords } from './parser.ts';
import { CypherUnanswerableError, textToCypher } from './text2cypher.ts';
import type { AskResult, Citation, CypherRun, Interpretation, PlanStep, RetrievedContext, Strategy } from './types.ts';
import { hanShare, isChinese } from './zh/segment.ts';
import { translateQuestion } from './zh/translate.ts';
import { renderStructuredZh, zhMessages } from './zh/render.ts';

export interface AskDeps {
  db: GraphExecutor;
  catalogs: CatalogCache;
  /** Needed for vector and hybrid retrieval; without it retrieval is fulltext only. */
  embedder?: QueryEmbedder;
  /** When configured: written answers and community summaries. */
  chat?: ChatModel;
  /** When configured: Cypher written for what the parser cannot map. */
  cypherChat?: ChatModel;
  /** Second stage of passage search (src/retrieval/rerank.ts). */
  reranker?: Reranker;
  logger?: Logger;
}

export interface AskOptions {
  /** Collections the caller may read; null for a graph without collections (a foreign graph). */
  collections: string[] | null;
  /** Reference date for "overdue", "next month", "how long" (YYYY-MM-DD); default today (UTC). */
  asOf?: string;
  /** Rows of a structured answer, at most (default 1000: "list all…" means all, as far as a reader can use). */
  limit?: number;
  /** Passages in the context of an open question (default 8). */
  passages?: number;
  /** Timeout of each generated query (default 10 s). */
  timeoutMs?: number;
  /** Graph expansion of retrieved passages (default on). */
  expand?: boolean;
  /**
   * Answer with this one of the readings a previous ask of the same question offered
   * (`plan.alternatives`, by index): the person chose what the question means.
   */
  reading?: number;
  signal?: AbortSignal;
  /**
   * A follow-up bound to the previous answer (src/conversation): the parsed target must be these
   * nodes ("which of them…"), or the question is declined rather than answered out of context.
   */
  seed?: Seed;
  /** Told what the parser read (a conversation keeps it to resolve the next question). */
  onParsed?: (parsed: { grounding: Grounding; spec?: QuerySpec }) => void;
  /** Streaming: the plan as soon as it is known, and a written answer piece by piece. */
  onPlan?: (plan: { strategy: Strategy; steps: PlanStep[] }) => void;
  onToken?: (text: string) => void;
}

/** The nodes a follow-up is restricted to: element ids of the previous answer, of one label. */
export interface Seed {
  label: string;
  ids: string[];
  /** For the plan: "of the 5 people from the previous answer". */
  description: string;
}

export const MAX_QUESTION_LENGTH = 2000;
const DEFAULTS = { limit: 1000, passages: 8, timeoutMs: 10_000 };
/** Hits fetched before expansion re-ranks them into the context budget. */
const RETRIEVAL_DEPTH = 20;
/** A hybrid answer follows at most this many nodes from the graph into the documents. */
const MAX_BRIDGE_ROWS = 3;
/** "Did you mean": interpretations offered at most. */
const MAX_ALTERNATIVES = 3;

export async function ask(deps: AskDeps, question: string, opts: AskOptions): Promise<AskResult> {
  const started = performance.now();
  const logger = deps.logger ?? silentLogger();
  const q = question.trim();
  if (!q) throw new InputError('The question is empty');
  if (q.length > MAX_QUESTION_LENGTH) throw new InputError(`The question is longer than ${MAX_QUESTION_LENGTH} characters`);
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) throw new InputError(`asOf must be a date (YYYY-MM-DD), got ${asOf}`);
  const limit = opts.limit ?? DEFAULTS.limit;
  const timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
  const guard = { collections: opts.collections, limit, timeoutMs };

  const steps: PlanStep[] = [];
  const cypherRuns: CypherRun[] = [];
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round((timings[name] ?? 0) + performance.now() - t0);
    }
  };
  /** Readings the parser was not sure of: offered when nothing else answers, never run. */
  const alternatives: Interpretation[] = [];
  /** The specs behind `alternatives`, in the same order: what a chosen reading runs. */
  const offered: QuerySpec[] = [];
  const offer = (spec: QuerySpec, doubts: string[]) => {
    offered.push(spec);
    alternatives.push(interpretation(spec, collections, labelMatcher(catalog), doubts));
  };
  const finish = (r: Omit<AskResult, 'question' | 'plan' | 'timings' | 'cypher'> & { strategy: Strategy; message?: string }): AskResult => {
    timings.total = Math.round(performance.now() - started);
    const { strategy, message, ...rest } = r;
    const offered = strategy === 'none' && alternatives.length ? { alternatives: alternatives.slice(0, MAX_ALTERNATIVES) } : {};
    return { question: q, ...rest, cypher: cypherRuns, plan: { strategy, steps, ...(message ? { message } : {}), ...offered }, timings };
  };

  /** A ranking without a criterion run as the plain list, one row past the number asked for: the whole set when it fits. */
  const runWhole = async (spec: QuerySpec): Promise<{ spec: QuerySpec; rows: Row[]; truncated: boolean } | undefined> => {
    if (spec.result.kind !== 'list' || spec.result.first === undefined) return undefined;
    const first = spec.result.first;
    const compiled = compile({ ...spec, result: { ...spec.result, first: first + 1 } }, collections, labelMatcher(catalog));
    const run = await runGuarded(deps.db, compiled.query, compiled.params, guard, 'parser', cypherRuns);
    const rows = run ? finishRows(spec, run.rows) : [];
    return run && rows.length > 0 && rows.length <= first && !run.truncated ? { spec, rows, truncated: false } : undefined;
  };

  const catalog: SchemaCatalog = await timed('catalog', () => deps.catalogs.get(opts.collections ?? undefined));
  const collections = catalog.collections;
  opts.signal?.throwIfAborted();

  // 0. Whole-collection questions ("What are the main topics?", "Summarise everything about X"): the communities.
  const overview = !opts.seed && catalog.internal.documents && collections ? overviewRequest(q) : undefined;
  if (overview && collections) {
    const o = await timed('overview', () => answerOverview({ db: deps.db, chat: deps.chat, logger, signal: opts.signal }, overview, collections, hanShare(q) >= 0.3));
    if (o) {
      steps.push(...o.steps);
      return finish({ answer: o.answer, found: true, citations: o.citations, facts: o.facts, rows: [], strategy: 'overview' });
    }
  }

  // 1. The semantic parser.
  let structured: { spec: QuerySpec; rows: Row[]; truncated: boolean } | undefined;
  /** Nodes an untrusted parse found: names that steer retrieval in a hybrid answer. */
  let bridge: { spec: QuerySpec; rows: Row[] } | undefined;
  let parserMessage: string | undefined;
  // A Chinese question is read by Chinese grammar into the English form the parser maps (zh/translate.ts).
  const zh = isChinese(q) ? await timed('parse', () => translateQuestion(deps.db, catalog, q, { collections, timeoutMs })) : undefined;
  if (zh) steps.push({ kind: 'parse', detail: `Read as: ${zh.english}` });
  // The answer is in the question's language: an English question naming 张伟 is answered in English.
  const inChinese = zh !== undefined && hanShare(q) >= 0.3;
  const render = inChinese ? renderStructuredZh : renderStructured;
  const grounding = await timed('parse', () => ground(deps.db, catalog, zh?.english ?? q, { collections, timeoutMs }));
  const parsed = await timed('parse', async () => {
    const p = parseQuestion(grounding, { asOf, limit });
    if (!zh || !p.ok) return p;
    // Chinese words the lexicon and the graph do not know are unexplained like unknown English words,
    // and so is a name the parse had to leave out ("星图智能有多少个客户": whose customers is not in the graph).
    const ignored = p.notes.filter((n) => n.startsWith('Ignored ')).map((n) => /^Ignored (?:\S+ ")?([^":]+)/.exec(n)?.[1] ?? n);
    return zh.unknown.length || ignored.length ? { ...p, unexplained: [...p.unexplained, ...zh.unknown, ...ignored] } : p;
  });
  opts.onParsed?.({ grounding, ...(parsed.ok ? { spec: parsed.spec } : {}) });
  if (opts.seed) {
    const seed = opts.seed;
    const target = parsed.ok ? parsed.spec.nodes[0]! : undefined;
    if (!parsed.ok || !target || target.label !== seed.label || parsed.unexplained.length > 0 || parsed.doubts.length > 0) {
      // Answering without the binding (documents, LLM Cypher) would answer another question than the one asked.
      const why = !parsed.ok ? parsed.reason
        : target?.label !== seed.label ? `it asks about ${target?.label}, not the ${seed.label} nodes`
        : parsed.unexplained.length ? `the schema has nothing for: ${parsed.unexplained.join(', ')}`
        : `not sure what it means: ${parsed.doubts.join(' ')}`;
      const message = `The follow-up could not be applied to ${seed.description}: ${why}`;
      steps.push({ kind: 'follow-up', detail: message });
      return finish({ answer: inChinese ? zhMessages.unmapped(message) : `I could not answer this follow-up. ${message}. Ask it as a full question.`, found: false, citations: [], facts: [], rows: [], strategy: 'none', message });
    }
    target.ids = target.ids ? target.ids.filter((id) => seed.ids.includes(id)) : [...seed.ids];
    steps.push({ kind: 'follow-up', detail: `Asked of ${seed.description} (${seed.label} nodes, by element id).` });
  }
  /** Words the graph could not place: what the documents are asked about. */
  const unplaced = parsed.ok ? parsed.unexplained : unexplainedWords(grounding);
  if (!parsed.ok) {
    parserMessage = parsed.reason;
    steps.push({ kind: 'parse', detail: `Not mapped onto the schema: ${parsed.reason}` });
  } else if (parsed.doubts.length > 0 && parsed.unexplained.length === 0) {
    // "The top 3 routers in DC1" with no criterion: when at most 3 nodes qualify, every ranking
    // picks all of them, so the set is the answer whatever the criterion was.
    const whole = parsed.wordsPlaced && rankless(parsed.spec, parsed.doubts) ? await timed('cypher', () => runWhole(parsed.spec)) : undefined;
    if (whole) {
      structured = whole;
      steps.push({ kind: 'parse', detail: `${describeSpec(parsed.spec)}: no criterion is named, but no more nodes qualify than were asked for, so every ranking gives them all.` });
    } else {
      // A complete parse that had to choose without a cue: an interpretation to offer, not an answer.
      parserMessage = `Not sure what the question means: ${parsed.doubts.join(' ')}`;
      steps.push({ kind: 'parse', detail: `Not trusted: ${parserMessage}` });
      offer(parsed.spec, parsed.doubts);
      for (const reading of parsed.readings ?? []) offer(reading, parsed.doubts);
    }
  } else if (parsed.unexplained.length > 0) {
    parserMessage = `The graph's schema has nothing for: ${parsed.unexplained.join(', ')}.`;
    steps.push({ kind: 'parse', detail: `Not trusted: ${parserMessage}` });
    offer(parsed.spec, [`without "${parsed.unexplained.join('", "')}"`, ...parsed.doubts]);
    // Hybrid: the part the graph does understand may name who or what the documents should be
    // asked about ("the senior software engineer on John Doe's team" → Priya Natarajan).
    if (!zh && catalog.internal.documents && collections && (parsed.spec.result.kind === 'list' || parsed.spec.result.kind === 'rank')) {
      const compiled = compile(parsed.spec, collections, labelMatcher(catalog));
      const run = await timed('cypher', () => runGuarded(deps.db, compiled.query, compiled.params, guard, 'parser', cypherRuns));
      const rows = run ? finishRows(parsed.spec, run.rows) : [];
      if (rows.length > 0 && rows.length <= MAX_BRIDGE_ROWS) {
        bridge = { spec: parsed.spec, rows };
        steps.push({ kind: 'bridge', detail: `${describeSpec(parsed.spec)} → ${rows.map((r) => String(r.name)).join(', ')}` });
      }
    }
  } else {
    steps.push({ kind: 'parse', detail: describeSpec(parsed.spec), ...(parsed.notes.length ? {} : {}) });
    for (const note of parsed.notes) steps.push({ kind: 'note', detail: note });
    const compiled = compile(parsed.spec, collections, labelMatcher(catalog));
    const run = await timed('cypher', () => runGuarded(deps.db, compiled.query, compiled.params, guard, 'parser', cypherRuns));
    if (run) structured = { spec: parsed.spec, rows: finishRows(parsed.spec, run.rows), truncated: run.truncated };
  }

  if (opts.reading !== undefined) {
    // The person chose one of the readings offered for this question: it is run as the answer.
    const spec = offered[opts.reading];
    if (!spec) throw new InputError(`The question has no reading ${opts.reading} to choose (it offers ${offered.length}); ask it again.`);
    steps.push({ kind: 'parse', detail: `Reading chosen by the asker: ${describeSpec(spec)}` });
    const compiled = compile(spec, collections, labelMatcher(catalog));
    const run = await timed('cypher', () => runGuarded(deps.db, compiled.query, compiled.params, guard, 'parser', cypherRuns));
    structured = run ? { spec, rows: finishRows(spec, run.rows), truncated: run.truncated } : undefined;
    bridge = undefined;
  }

  // Asked of a seed, nothing found is the answer ("none of them"), not a reason to search the documents.
  if (structured && (opts.seed || !emptyAnswer(structured))) {
    steps.push({ kind: 'answer', detail: 'Rendered from the query result.' });
    return finish({
      answer: render(structured.spec, structured.rows, structured.truncated),
      found: true,
      citations: [],
      facts: [],
      rows: structured.rows,
      strategy: 'structured',
    });
  }

  // 2. The LLM writes Cypher for what the parser could not map.
  opts.signal?.throwIfAborted();
  if (deps.cypherChat && !structured) {
    try {
      const result = await timed('llm-cypher', () =>
        textToCypher({
          chat: deps.cypherChat!,
          db: deps.db,
          catalog,
          question: q,
          guard,
          logger,
          signal: opts.signal,
          onAttempt: (a) => cypherRuns.push({ query: a.query, params: a.params, origin: 'llm', ...(a.error ? { error: a.error } : {}) }),
        }),
      );
      const last = cypherRuns[cypherRuns.length - 1];
      if (last && !last.error) Object.assign(last, { query: result.query, params: result.params, rows: result.rows.length });
      steps.push({ kind: 'llm-cypher', detail: result.explanation || 'The LLM wrote a query over the schema.' });
      if (result.rows.length > 0) {
        return finish({
          answer: renderRows(result.rows, result.truncated),
          found: true,
          citations: [],
          facts: [],
          rows: result.rows,
          strategy: 'structured',
        });
      }
    } catch (err) {
      if (!(err instanceof KgragError)) throw err;
      const detail = err instanceof CypherUnanswerableError ? err.explanation : errorMessage(err);
      steps.push({ kind: 'llm-cypher', detail: `No query: ${detail}` });
      logger.debug({ err }, 'text-to-Cypher gave no answer');
    }
  }

  // 3. Documents: hybrid retrieval, graph expansion, an extractive or LLM answer with citations.
  // (Only where the graph holds nodes to re-ask about: without entities or records no name can stand in.)
  if (!zh && catalog.internal.documents && catalog.labels.length > 0 && collections && unplaced.length > 0 && !bridge) {
    // Hybrid, documents first: who the question describes, then the graph about them.
    const resolved = await timed('resolve', () => resolveDescription(deps, q, unplaced, { collections, asOf, limit, guard, runs: cypherRuns, logger }));
    if (resolved) {
      steps.push({ kind: 'bridge', detail: `"${resolved.description}" is ${resolved.name} in the documents; then: ${describeSpec(resolved.spec)}` });
      return finish({
        answer: `${resolved.evidence} ${renderStructured(resolved.spec, resolved.rows)}`,
        found: true,
        citations: resolved.citations,
        facts: [],
        rows: resolved.rows,
        strategy: 'hybrid',
      });
    }
  }
  if (catalog.internal.documents && collections) {
    opts.signal?.throwIfAborted();
    const passages = opts.passages ?? DEFAULTS.passages;
    // In a hybrid answer the graph has resolved part of the question into names: the documents are
    // asked about those names and the words the graph could not place ("award", "win").
    const bridgeNames = bridge ? bridge.rows.map((r) => String(r.name)) : [];
    const searchText = bridgeNames.length ? `${q} ${bridgeNames.join(' ')}` : q;
    const answerText = bridge && parsed.ok ? `${q.split(/\s+/, 1)[0]} ${parsed.unexplained.join(' ')} ${bridgeNames.join(' ')}?` : q;
    const { context, hits, mode } = await timed('retrieve', () => documentContext(deps, searchText, collections, { passages, expand: opts.expand !== false, logger, signal: opts.signal }));
    steps.push({ kind: 'retrieve', detail: `${hits} passages by ${mode} search.` });
    cypherRuns.push(...context.cypher);
    if (opts.expand !== false) steps.push({ kind: 'expand', detail: `${context.passages.length} passages and ${context.facts.length} relationships of ${context.entities.length} entities in the context.` });
    opts.signal?.throwIfAborted();
    opts.onPlan?.({ strategy: bridge ? 'hybrid' : 'semantic', steps: [...steps] });
    const extractive = () => extractiveAnswer(answerText, context, deps.embedder ? { embedder: deps.embedder } : {});
    let answer = await timed('answer', () =>
      deps.chat
        ? opts.onToken
          ? llmAnswerStream(deps.chat, searchText, context, { signal: opts.signal, logger, onToken: opts.onToken })
          : llmAnswer(deps.chat, searchText, context, { signal: opts.signal, logger })
        : extractive(),
    );
    let answeredBy = deps.chat ? `Written by ${deps.chat.id} from the context.` : 'Supporting sentences chosen from the context.';
    // A model that wrote an answer citing nothing (small local models often do) is not trusted;
    // the sentences of the context that answer the question are, as without a model. A model
    // that said the context lacks the answer is left at that.
    if (deps.chat && answer.ungrounded) {
      opts.signal?.throwIfAborted();
      const fallback = await timed('extractive', extractive);
      if (fallback.found) {
        answer = fallback;
        answeredBy = `${deps.chat.id} cited no passage; supporting sentences chosen from the context instead.`;
      }
    }
    steps.push({ kind: 'answer', detail: answeredBy });
    const structuredNote = structured ? `${render(structured.spec, structured.rows)} ` : '';
    if (answer.found) {
      return finish({
        answer: answer.answer,
        found: true,
        citations: answer.citations,
        facts: context.facts,
        rows: bridge?.rows ?? [],
        strategy: bridge ? 'hybrid' : 'semantic',
        ...(structured ? { message: `The exact query found nothing: ${structuredNote.trim()}` } : {}),
      });
    }
    const notFoundText = inChinese ? zhMessages.notFound : answer.answer;
    return finish({
      answer: structured ? `${structuredNote}${notFoundText}` : notFoundText,
      found: false,
      citations: answer.citations,
      facts: context.facts,
      rows: structured?.rows ?? [],
      strategy: structured ? 'structured' : 'none',
      message: parserMessage ?? 'Neither the graph nor the documents answer the question.',
    });
  }

  if (structured && opts.reading === undefined && parsed.ok) {
    // "Which X …?" presumes some X exist: a reading that finds none more likely misreads the question
    // than answers it, so it is offered, not asserted. (A count or a yes/no check answers zero itself.)
    const message = `The exact query found nothing, though the question presumes there is something: ${render(structured.spec, structured.rows).trim()}`;
    steps.push({ kind: 'answer', detail: message });
    offer(structured.spec, ['found nothing']);
    return finish({
      answer: inChinese ? zhMessages.unmapped(message) : `I could not answer this from the knowledge graph. ${message}`,
      found: false,
      citations: [],
      facts: [],
      rows: [],
      strategy: 'none',
      message,
    });
  }
  if (structured) {
    return finish({
      answer: render(structured.spec, structured.rows, structured.truncated),
      found: false,
      citations: [],
      facts: [],
      rows: structured.rows,
      strategy: 'structured',
    });
  }
  const message = parserMessage ?? 'The question could not be mapped onto the graph.';
  return finish({
    answer: inChinese ? zhMessages.unmapped(message) : `I could not answer this from the knowledge graph. ${message}${deps.cypherChat ? '' : ' Rephrase it with the names of labels, properties or values in the graph (see `kgrag schema`), or configure an LLM.'}`,
    found: false,
    citations: [] as Citation[],
    facts: [],
    rows: [],
    strategy: 'none',
    message,
  });
}

interface Resolved {
  description: string;
  name: string;
  evidence: string;
  citations: Citation[];
  spec: QuerySpec;
  rows: Row[];
}

/**
 * Asks the documents who a description means ("Who is the person who ran infrastructure at
 * Initech?"), then asks the graph the question with each person the supporting sentence names,
 * keeping the first that the parser maps completely and that finds something.
 */
async function resolveDescription(
  deps: AskDeps,
  question: string,
  unexplained: string[],
  ctx: { collections: string[]; asOf: string; limit: number; guard: { collections: string[] | null; limit: number; timeoutMs: number }; runs: CypherRun[]; logger: Logger },
): Promise<Resolved | undefined> {
  const description = descriptionSpan(question, unexplained);
  if (!description) return undefined;
  // The description's last word may be the question's own verb ("… relationship work?"): without it next.
  const words = description.text.split(/\s+/);
  const phrasings = words.length >= 4 ? [description.text, words.slice(0, -1).join(' ')] : [description.text];
  let found: Awaited<ReturnType<typeof extractiveAnswer>> | undefined;
  let context: Awaited<ReturnType<typeof expandContext>> | undefined;
  for (const phrase of phrasings) {
    const sub = `Who is ${phrase}?`;
    ({ context } = await documentContext(deps, sub, ctx.collections, { passages: DEFAULTS.passages, expand: true, logger: ctx.logger }));
    found = await extractiveAnswer(sub, context, deps.embedder ? { embedder: deps.embedder } : {});
    if (found.found) break;
  }
  if (!found?.found || !context) return undefined;
  const catalog = await deps.catalogs.get(ctx.collections);
  for (const name of namedIn(found.citations.map((c) => c.quote), context.entities, question).slice(0, MAX_BRIDGE_ROWS)) {
    const rewritten = withName(question, description, name);
    const parsed = parseQuestion(await ground(deps.db, catalog, rewritten, { collections: ctx.collections }), { asOf: ctx.asOf, limit: ctx.limit });
    if (!parsed.ok || parsed.unexplained.length > 0 || parsed.doubts.length > 0) continue;
    const compiled = compile(parsed.spec, ctx.collections, labelMatcher(catalog));
    const run = await runGuarded(deps.db, compiled.query, compiled.params, ctx.guard, 'parser', ctx.runs);
    if (!run) continue;
    const rows = finishRows(parsed.spec, run.rows);
    if (emptyAnswer({ spec: parsed.spec, rows })) continue;
    return { description: description.text, name, evidence: found.answer, citations: found.citations, spec: parsed.spec, rows };
  }
  return undefined;
}

/**
 * Hybrid retrieval, then graph expansion of the hits into a context of `passages` passages; the
 * text is embedded once, for the vector search and for ranking the expanded passages.
 */
async function documentContext(
  deps: AskDeps,
  text: string,
  collections: string[],
  opts: { passages: number; expand: boolean; logger: Logger; signal?: AbortSignal | undefined },
): Promise<{ context: RetrievedContext; hits: number; mode: 'hybrid' | 'fulltext' }> {
  const mode = deps.embedder ? 'hybrid' : 'fulltext';
  const embedding = deps.embedder ? await deps.embedder.embedQuery(text) : undefined;
  // A cancelled ask stops between stages: the embedding and each query are short, the rest is skipped.
  opts.signal?.throwIfAborted();
  const hits = await new Retriever(deps.db, deps.embedder).search(text, {
    collections,
    k: RETRIEVAL_DEPTH,
    mode,
    ...(embedding ? { embedding } : {}),
    ...(deps.reranker ? { reranker: deps.reranker } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  opts.signal?.throwIfAborted();
  const context: RetrievedContext = opts.expand
    ? await expandContext(deps.db, { question: text, hits, collections, budget: { passages: opts.passages }, ...(embedding ? { questionEmbedding: embedding } : {}) }, { logger: opts.logger })
    : { passages: hits.slice(0, opts.passages).map((h) => ({ ...h, via: 'search' as const })), facts: [], entities: [], cypher: [] };
  return { context, hits: hits.length, mode };
}

/** Runs a query through the guard and records it; a refusal or failure is recorded and yields nothing. */
async function runGuarded(
  db: GraphExecutor,
  query: string,
  params: Record<string, unknown>,
  guard: { collections: string[] | null; limit: number; timeoutMs: number },
  origin: CypherRun['origin'],
  runs: CypherRun[],
): Promise<{ rows: Row[]; truncated: boolean } | undefined> {
  const t0 = performance.now();
  try {
    const result = await runReadOnly(db, query, params, guard);
    runs.push({ query: result.query, params: plainParams(result.params), origin, rows: result.rows.length, ms: Math.round(performance.now() - t0) });
    return result;
  } catch (err) {
    if (!(err instanceof KgragError)) throw err;
    runs.push({ query, params: plainParams(params), origin, error: errorMessage(err), ms: Math.round(performance.now() - t0) });
    if (err.code === 'QUERY_TIMEOUT') throw err;
    return undefined;
  }
}

/** Parameters as plain JSON (driver integers as numbers), for the result and its JSON output. */
function plainParams(params: Record<string, unknown>): Record<string, unknown> {
  return toPlain(params) as Record<string, unknown>;
}

/** A list asked for as "the top N" whose only doubt is that it names no criterion (and not one name per several nodes). */
function rankless(spec: QuerySpec, doubts: string[]): boolean {
  const r = spec.result;
  return r.kind === 'list' && r.first !== undefined && !r.byName && doubts.every((d) => d === RANKLESS);
}

/** A list or value query that found nothing, or an aggregate over nothing: worth asking the documents. */
function emptyAnswer(s: { spec: QuerySpec; rows: Row[] }): boolean {
  const r = s.spec.result;
  if (r.kind === 'count' || r.kind === 'check') return false;
  if (r.kind === 'aggregate') return Number(s.rows[0]?.over ?? 0) === 0;
  return s.rows.length === 0;
}

/** Rows of an LLM-written query, as a sentence. */
function renderRows(rows: Row[], truncated: boolean): string {
  const cells = rows.map((row) => Object.values(row).map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v))).join(', '));
  if (rows.length === 1 && Object.keys(rows[0]!).length === 1) return `${cells[0]}.`;
  return `${rows.length} rows${truncated ? ' (first ones shown)' : ''}: ${cells.slice(0, 20).join('; ')}${rows.length > 20 ? '; …' : ''}.`;
}

/** An uncertain parse as an interpretation: what it reads, why it is uncertain, the Cypher it would run. */
function interpretation(spec: QuerySpec, collections: string[] | null, labels: Parameters<typeof compile>[2], doubts: string[]): Interpretation {
  const compiled = compile(spec, collections, labels);
  return { description: `${describeSpec(spec)} (${doubts.join(' ')})`, cypher: compiled.query, params: plainParams(compiled.params) };
}

/** One line for the plan: what the parser understood. */
export function describeSpec(spec: QuerySpec): string {
  const t = spec.nodes[0]!;
  const parts = [`target ${t.label}${t.requires ? ` (with ${t.requires})` : ''}`];
  for (const n of spec.nodes) {
    for (const c of n.conditions) parts.push(`${n.label}.${c.property} ${c.op} ${c.average ? `the average ${c.property}` : JSON.stringify(c.value)}`);
    if (n.ids) parts.push(`${n.label} named in the question (${n.ids.length})`);
  }
  for (const e of spec.edges) parts.push(`path ${e.type}${e.variable ? '*' : e.hops && e.hops > 1 ? `*${e.hops}` : ''}`);
  for (const e of spec.exists) parts.push(`${e.negated ? 'no' : 'some'} ${e.edges.map((x) => x.type).join('/')}`);
  const r = spec.result;
  parts.push(
    r.kind === 'aggregate' ? `${r.fn}(${r.property})`
    : r.kind === 'rank' ? `rank by ${'count' in r.by ? 'count' : r.by.property} ${r.descending ? 'desc' : 'asc'}${r.limit < 1000 ? `, top ${r.limit}` : ''}`
    : r.kind === 'value' ? `value ${r.property}${r.temporal ? ` (${r.temporal})` : ''}`
    : r.kind === 'check' ? 'yes/no'
    : r.kind === 'chain' ? `chain along ${r.type}`
    : r.kind,
  );
  return parts.join('; ');
}
