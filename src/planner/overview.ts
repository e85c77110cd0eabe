/**
 * Questions about a whole collection ("What are the main topics of these documents?", "Give me an
 * overview", 这些文档的主要主题是什么？) and about everything known of one thing ("Summarise
 * everything we know about Globex", 总结一下关于X的所有信息). No passage answers them: they are
 * answered from the communities of the entity graph (src/retrieval/communities.ts), each with its
 * cited summary, and for one thing from its own sentences, its community and its relationships.
 *
 * Recognised by grammar, not by names: a request for the topics/themes/subjects of something, or
 * for an overview/summary of it (an imperative "summarise …", "give me an overview of …",
 * 概述/总结/概括 …); its object is either the collection itself (a noun for documents or the
 * knowledge base, "everything", or nothing) or a thing the graph holds by that name. When the
 * object is neither, the question is left to the other strategies, exactly as before.
 */
import { rewriteCitations } from '../answer/citations.ts';
import { GRAPH_SCOPE } from '../domain/ids.ts';
import { entityCandidates, entityRelationships, type StoredCommunity } from '../graph/communities.ts';
import type { GraphExecutor } from '../graph/executor.ts';
import { toLuceneQuery } from '../graph/search.ts';
import type { ChatModel } from '../llm/chat.ts';
import type { Logger } from '../logging.ts';
import { toFact } from '../retrieval/expand.ts';
import { containsName } from '../retrieval/terms.ts';
import type { Citation, GraphFact, PlanStep } from './types.ts';

export type OverviewRequest = { kind: 'collection' } | { kind: 'about'; subject: string };

// English. A request for the topics of something ("what are the main themes of …", "which topics
// do … cover"), or for an overview or summary ("give me an overview of …", "summarise …",
// "what are these documents about").
const TOPIC_NOUN = String.raw`(?:topics?|themes?|subjects?)`;
const EN_TOPICS = new RegExp(
  String.raw`^(?:what|which)\s+(?:(?:are|were|is)\s+)?(?:the\s+)?(?:(?:main|key|major|principal|central|chief|common|recurring|important|overall|general|big)\s+)?${TOPIC_NOUN}\b(?<rest>.*)$`,
  'i',
);
const EN_OVERVIEW = /^(?:(?:please|can you|could you|would you)\s+)*(?:(?:give|show|provide|write|get)\s+(?:me\s+|us\s+)?(?:an?\s+|the\s+)?(?:short\s+|brief\s+|quick\s+|high-level\s+|general\s+)?(?:overview|summary|rundown|synopsis)|(?:an?\s+)?(?:short\s+|brief\s+|quick\s+|high-level\s+)?(?:overview|summary|synopsis)(?=\s+of\b|\s*$)|summari[sz]e|sum\s+up|recap|tell\s+(?:me|us)\s+(?=everything\b|all\b)|what\s+do\s+(?:we|you|the\s+documents)\s+know\s+(?=about\b))\b(?<rest>.*)$/i;
/** "What are these documents about?", "What is the collection about?" */
const EN_ABOUT_WHAT = /^what\s+(?:are|is)\s+(?<object>(?:these|those|the|this|all\s+(?:the\s+|these\s+)?|our\s+)[\w\s-]*?)\s+about\s*[?.!]*$/i;
/** What names the collection itself rather than one thing in it. */
const EN_COLLECTION = /^(?:(?:of|in|from|across|for|on)\s+)?(?:(?:all|these|those|the|this|our|my|your|every|each)\s+)*(?:[\w-]+\s+){0,2}?(?:documents?|docs?|files?|collections?|corpus|knowledge\s+base|kb|data(?:set)?|texts?|reports?|papers?|articles?|memos?|notes?|sources?|materials?|records?)\b(?:\s+(?:cover|covers|discuss|discusses|contain|contains|mention|mentions|talk\s+about|are\s+about|is\s+about|say|have))?$|^(?:(?:of|about)\s+)?(?:everything|all\s+of\s+it|it\s+all|all)(?:\s+(?:we|you|they|i)\s+(?:know|have))?$|^$/i;
/** "everything we know about X", "of X", "about X", "on X", "regarding X". */
const EN_SUBJECT = /^(?:(?:everything|all(?:\s+the\s+information)?|what)\s+(?:(?:that\s+)?(?:we|you|the\s+documents?|the\s+collection)\s+(?:know|have|say|says|contain|contains)\s+)?)?(?:of|about|on|regarding|concerning|for)\s+(?<subject>.+)$|^(?<direct>.+)$/i;

// Chinese. 主题/话题/议题/主要内容 asked with 什么/哪些; 讲了什么; 概述/概括/总结/综述/梳理 (一下) …
const ZH_TOPICS = /(?<object>.*?)(?:的)?(?:主要|核心|关键)?(?:主题|话题|议题|主要内容)(?:是|有)?(?:什么|哪些)/;
const ZH_ABOUT_WHAT = /^(?<object>.*?)(?:主要)?(?:讲|说|谈|写)(?:了|的是)?(?:什么|哪些)/;
const ZH_OVERVIEW = /^(?:请|请你|帮我|给我)?(?:概述|概括|总结|综述|梳理|汇总|总览|概览)(?:一下)?(?<rest>.*)$/;
const ZH_COLLECTION = /^(?:这些|那些|所有|全部|整个|我们的|已有的)?(?:的)?(?:文档|文件|资料|知识库|集合|材料|报告|文章|数据|内容|信息)?(?:的)?(?:所有|全部)?(?:内容|信息)?$/;
/** 关于X的所有信息, 关于X, X的所有信息, X的情况. */
const ZH_SUBJECT = /^(?:关于|有关)?(?<subject>.+?)(?:的)?(?:所有|全部|一切)?(?:信息|情况|内容|资料|事情|知识)?$/;

/** Whether the question asks about the whole collection or everything about one thing; undefined otherwise. */
export function overviewRequest(question: string): OverviewRequest | undefined {
  const q = question.trim().replace(/\s+/g, ' ');
  const plain = q.replace(/[?？.。!！]+$/u, '').trim();
  if (/\p{Script=Han}/u.test(plain)) return zhRequest(plain.replace(/\s+/g, ''));
  const topics = EN_TOPICS.exec(plain);
  if (topics) return objectOf(topics.groups!.rest!.trim().replace(/^(?:do|does|did)\s+/i, ''));
  const overview = EN_OVERVIEW.exec(plain);
  if (overview) return objectOf(overview.groups!.rest!.trim());
  const about = EN_ABOUT_WHAT.exec(plain);
  if (about && EN_COLLECTION.test(about.groups!.object!.trim())) return { kind: 'collection' };
  return undefined;
}

function objectOf(rest: string): OverviewRequest | undefined {
  // "(which topics) are discussed in …": the passive verb says nothing about the object.
  const object = rest
    .replace(/^(?:(?:that|which)\s+)?/i, '')
    .replace(/^(?:are|is|were|was|get|gets)\s+(?:discussed|covered|mentioned|addressed|described|treated|raised)\b\s*/i, '')
    .trim();
  if (EN_COLLECTION.test(object)) return { kind: 'collection' };
  const m = EN_SUBJECT.exec(object);
  const subject = (m?.groups?.subject ?? m?.groups?.direct ?? '').replace(/^(?:the|a|an)\s+/i, '').trim();
  if (!subject || EN_COLLECTION.test(subject)) return { kind: 'collection' };
  return { kind: 'about', subject };
}

function zhRequest(q: string): OverviewRequest | undefined {
  const subjectOf = (text: string): OverviewRequest => {
    const object = text.replace(/^(?:一下|下)/, '');
    if (ZH_COLLECTION.test(object)) return { kind: 'collection' };
    const subject = ZH_SUBJECT.exec(object)?.groups?.subject ?? object;
    return ZH_COLLECTION.test(subject) ? { kind: 'collection' } : { kind: 'about', subject };
  };
  const overview = ZH_OVERVIEW.exec(q);
  if (overview) return subjectOf(overview.groups!.rest!);
  const topics = ZH_TOPICS.exec(q) ?? ZH_ABOUT_WHAT.exec(q);
  if (topics) {
    const object = topics.groups!.object!;
    return ZH_COLLECTION.test(object) ? { kind: 'collection' } : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Answers

export interface OverviewDeps {
  db: GraphExecutor;
  chat?: ChatModel;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface OverviewAnswer {
  answer: string;
  found: boolean;
  citations: Citation[];
  facts: GraphFact[];
  steps: PlanStep[];
}

/** Topics shown for a whole collection, at most. */
const MAX_TOPICS = 5;
/** Relationships of the subject listed in the answer (all go to `facts`). */
const LISTED_FACTS = 8;
const FACT_FANOUT = 30;
/** Sentences quoted about the subject itself. */
const SUBJECT_SENTENCES = 3;

/**
 * The answer to an overview request, or undefined when it cannot be given this way (no community
 * with a summary; no entity by the subject's name), so that the question goes on to the other strategies.
 */
export async function answerOverview(
  deps: OverviewDeps,
  request: OverviewRequest,
  collections: string[],
  inChinese: boolean,
): Promise<OverviewAnswer | undefined> {
  const scopes = collections.filter((c) => c !== GRAPH_SCOPE);
  if (scopes.length === 0) return undefined;
  const opts = { ...(deps.chat ? { chat: deps.chat } : {}), ...(deps.logger ? { logger: deps.logger } : {}), ...(deps.signal ? { signal: deps.signal } : {}) };
  // Loaded here: community detection (graphology) is for overview questions only.
  const { ensureCommunities } = await import('../retrieval/communities.ts');
  const perCollection = await Promise.all(scopes.map(async (c) => ({ collection: c, communities: await ensureCommunities(deps.db, c, opts) })));
  const all = perCollection.flatMap((p) => p.communities.map((community) => ({ ...p, community })));
  return request.kind === 'collection' ? collectionOverview(all, inChinese) : subjectOverview(deps, request.subject, all, scopes, inChinese);
}

type Located = { collection: string; community: StoredCommunity };

function collectionOverview(all: Located[], inChinese: boolean): OverviewAnswer | undefined {
  const shown = all
    .filter((x) => x.community.summary)
    .sort((a, b) => b.community.mentions - a.community.mentions || a.community.rank - b.community.rank || a.collection.localeCompare(b.collection))
    .slice(0, MAX_TOPICS);
  if (shown.length === 0) return undefined;
  const citations: Citation[] = [];
  const lines = shown.map((x, i) => `${i + 1}. ${topicLine(x.community, citations)}`);
  const head = inChinese
    ? `文档的${shown.length}个主要主题（实体图中相互关联的实体群落）：`
    : `The documents cover ${shown.length} main topic${shown.length === 1 ? '' : 's'} (communities of related entities in the graph):`;
  return {
    answer: [head, ...lines].join('\n'),
    found: true,
    citations,
    facts: [],
    steps: [
      { kind: 'overview', detail: `A whole-collection question: ${all.length} communities of the entity graph, the ${shown.length} largest shown with their summaries.` },
    ],
  };
}

/** "Names: summary", its citations renumbered after those already in `citations`. */
function topicLine(community: StoredCommunity, citations: Citation[]): string {
  const offset = citations.length;
  for (const c of community.citations) citations.push({ ...c, n: c.n + offset });
  return `${community.names.join(', ')}: ${rewriteCitations(community.summary, (n) => n + offset)}`;
}

async function subjectOverview(deps: OverviewDeps, subject: string, all: Located[], collections: string[], inChinese: boolean): Promise<OverviewAnswer | undefined> {
  const query = toLuceneQuery(subject);
  if (!query) return undefined;
  const candidates = await entityCandidates(deps.db, query, collections, 25);
  // The subject must be the thing's name (or an alias), not merely share a word with it.
  // Else a name the subject begins ("Globex" for Globex Corporation).
  candidates.sort((a, b) => b.mentions - a.mentions);
  const entity =
    candidates.find((e) => [e.name, ...e.aliases].some((n) => sameName(subject, n))) ??
    candidates.find((e) => [e.name, ...e.aliases].some((n) => startsWithName(n, subject)));
  if (!entity) return undefined;
  const home = all.find((x) => x.collection === entity.collection && x.community.entityIds.includes(entity.id));
  const around = new Map((home?.community.entityIds ?? []).map((id, i, ids) => [id, (ids.length - i) / ids.length]));
  const { sentencesAbout } = await import('../retrieval/communities.ts');
  const own = await sentencesAbout(deps.db, entity.collection, entity.id, around, SUBJECT_SENTENCES);
  const facts = (await entityRelationships(deps.db, [entity.id], collections, FACT_FANOUT)).map(toFact);
  if (!own.summary && facts.length === 0) return undefined;

  const citations: Citation[] = [...own.citations];
  const parts: string[] = [];
  if (own.summary) parts.push(own.summary);
  if (facts.length) {
    const listed = facts.slice(0, LISTED_FACTS).map((f) => `${f.subject} ${f.predicate.toLowerCase().replace(/_/g, ' ')} ${f.object}`);
    parts.push(inChinese ? `图中的关系：${listed.join('；')}${facts.length > LISTED_FACTS ? '……' : ''}。` : `In the graph: ${listed.join('; ')}${facts.length > LISTED_FACTS ? '; …' : ''}.`);
  }
  if (home?.community.summary) {
    parts.push(`${inChinese ? '所属主题' : 'Its topic'}: ${topicLine(home.community, citations)}`);
  }
  return {
    answer: `${entity.name} (${entity.type}): ${parts.join('\n')}`,
    found: true,
    citations,
    facts,
    steps: [
      {
        kind: 'overview',
        detail: `Everything about ${entity.name} (${entity.type}): ${own.citations.length} sentences naming it, ${facts.length} relationships${home ? `, its community (${home.community.names.join(', ')})` : ''}.`,
      },
    ],
  };
}

/** Whether `subject` is `name`: the same words (folded), or for Chinese the same characters. */
function sameName(subject: string, name: string): boolean {
  if (/\p{Script=Han}/u.test(name)) return subject.replace(/\s+/g, '') === name.replace(/\s+/g, '');
  return containsName(subject, name) && containsName(name, subject.replace(/^(?:the|a|an)\s+/i, ''));
}

function startsWithName(name: string, subject: string): boolean {
  if (/\p{Script=Han}/u.test(name)) return name.startsWith(subject) && subject.length >= 2;
  return containsName(name, subject) && name.toLowerCase().startsWith(subject.toLowerCase());
}
