import { findNameSpans, linkMentions, type NameSpan } from './names.ts';
import { TAGS, type NodeType } from './patterns.ts';
import { markRoles, type RoleLexicon } from './roles.ts';
import { HARD_BREAK, hasTag, isCapitalised, isPossessive, termWord, type Sentence } from './terms.ts';
import type { ScalarValue } from '../types.ts';
import { markValues } from './values.ts';

export { RoleLexicon } from './roles.ts';
export type { RawTerm, Sentence } from './terms.ts';

/**
 * Entity recognition on a compromise document: names (Person, Organization, Place), values
 * (Date, Money, Percent, Quantity) and role phrases. compromise's tags and lexicon are the base;
 * our rules add what it misses (legal suffixes, org head words, honorifics, aliases in
 * parentheses, possessives, sentence-initial words) and mark every mention with a Kg* tag so the
 * relation patterns can refer to them.
 */

export type ValueType = 'Date' | 'Money' | 'Percent' | 'Quantity';

export interface EntityRecord {
  kind: 'node' | 'value';
  /** Final type, or the best guess while `certain` is false. */
  type: NodeType | ValueType;
  /** False when only the relation patterns can tell the type ("Globex", "Red Hat"). */
  certain: boolean;
  name: string;
  aliases: Set<string>;
  confidence: number;
  start: number;
  end: number;
  properties?: Record<string, ScalarValue>;
  /** A lone common word ("Support", "Engineering"): kept only if a relation pattern uses it. */
  needsEvidence?: boolean;
}

/** One occurrence of an entity: a token range of one sentence (titles included, for contiguous tagging). */
export interface Mention {
  sentence: number;
  start: number;
  end: number;
  entity: EntityRecord;
}

/** A role phrase ("former chief executive officer", "head of engineering"). */
export interface RoleSpan {
  sentence: number;
  start: number;
  end: number;
  value: string;
  relation?: string;
}

export interface ChunkAnalysis {
  text: string;
  sentences: Sentence[];
  /** Mention covering each token, per sentence. */
  mentionAt: Array<Array<Mention | undefined>>;
  roleAt: Array<Array<RoleSpan | undefined>>;
  valueAt: Array<Array<EntityRecord | undefined>>;
  entities: EntityRecord[];
  /** Words written capitalised somewhere other than at a sentence start. */
  innerCapitalised: Set<string>;
}

/** compromise tags some of these as conjunctions or expressions; patterns expect #Adverb. */
const TEMPORAL_ADVERBS = new Set(['now', 'also', 'then', 'still', 'later', 'recently', 'currently', 'subsequently', 'eventually', 'previously', 'formerly', 'once']);
/** First words of a comma-delimited aside between a subject and its verb ("X, a Denver-based firm, acquired Y"). */
const ASIDE_STARTERS = new Set(['who', 'whose', 'which', 'a', 'an', 'the', 'both', 'all', 'founded', 'co-founded', 'acquired', 'bought', 'based', 'headquartered', 'previously', 'formerly', 'once', 'now', 'long', 'owned', 'backed', 'known', 'best', 'itself', 'along', 'together', 'like', 'unlike', 'after', 'since']);

/**
 * Recognises everything in a parsed chunk and tags the words. `text` is the chunk text the
 * document was parsed from (offsets point into it).
 */
export function analyseChunk(text: string, sentences: Sentence[], roles: RoleLexicon): ChunkAnalysis {
  const analysis: ChunkAnalysis = {
    text,
    sentences,
    mentionAt: sentences.map((s) => new Array<Mention | undefined>(s.length)),
    roleAt: sentences.map((s) => new Array<RoleSpan | undefined>(s.length)),
    valueAt: sentences.map((s) => new Array<EntityRecord | undefined>(s.length)),
    entities: [],
    innerCapitalised: new Set(sentences.flatMap((terms) => terms.slice(1).filter(isCapitalised).map(termWord))),
  };
  const values = new Map<string, EntityRecord>();
  const spans: NameSpan[] = [];
  sentences.forEach((terms, n) => {
    for (const term of terms) if (TEMPORAL_ADVERBS.has(termWord(term))) term.tags.add('Adverb');
    markRoles(analysis, n, roles);
    markValues(analysis, n, values);
    spans.push(...findNameSpans(analysis, n));
  });
  const nodes = linkMentions(analysis, spans);
  tagJoins(analysis);
  tagAsides(analysis);
  analysis.entities = [...nodes, ...values.values()];
  return analysis;
}

/** Whether two entities may sit in one list ("X and Y joined"): same type, or one of them unsure. */
export function compatible(a: EntityRecord, b: EntityRecord): boolean {
  return a.type === b.type || !a.certain || !b.certain;
}

/** Tags "and" between two compatible entities (KgJoin), so a slot can take a whole list. */
function tagJoins(analysis: ChunkAnalysis): void {
  analysis.sentences.forEach((terms, n) => {
    const row = analysis.mentionAt[n]!;
    for (let k = 1; k < terms.length - 1; k += 1) {
      const word = termWord(terms[k]!);
      if (word !== 'and' && word !== '&') continue;
      if (row[k]) continue;
      const left = row[k - 1];
      const right = row[k + 1];
      // "Hooli CTO X and Hooli CFO Y": an entity followed by a role starts a new phrase, not a list item.
      const rightFollowedByRole = right && right.end < terms.length && analysis.roleAt[n]![right.end] !== undefined;
      if (left && right && left.entity !== right.entity && compatible(left.entity, right.entity) && !rightFollowedByRole) terms[k]!.tags.add(TAGS.join);
    }
  });
}

/**
 * Tags a comma-delimited aside after an entity when a verb follows it: "Lumen Robotics, founded
 * by X in 2017, is based in Pittsburgh". Templates that start with $subject also run with the
 * aside skipped. Role appositions ("X, CEO of Y, said") are not asides: patterns read those.
 */
function tagAsides(analysis: ChunkAnalysis): void {
  analysis.sentences.forEach((terms, n) => {
    const row = analysis.mentionAt[n]!;
    tagCoordinatedPredicates(analysis, n);
    for (let k = 1; k < terms.length; k += 1) {
      const before = row[k - 1];
      if (!before || row[k] === before || !/,/.test(terms[k - 1]!.post)) continue;
      const starter = ASIDE_STARTERS.has(termWord(terms[k]!)) || analysis.roleAt[n]![k] !== undefined || (row[k] !== undefined && isPossessive(analysis.sentences[n]![row[k]!.end - 1]!));
      if (!starter) continue;
      let end = -1;
      for (let j = k; j < terms.length && j - k < 16; j += 1) {
        if (/[;:()]/.test(terms[j]!.post)) break;
        if (/,/.test(terms[j]!.post)) {
          end = j + 1;
          break;
        }
      }
      // The aside must be followed by the predicate, not by more of a list or a new phrase.
      const next = terms[end];
      if (end < 0 || !next || isCapitalised(next) || hasTag(next, 'Determiner', 'Preposition', 'Pronoun') || ['and', 'or', 'but', 'nor'].includes(termWord(next))) continue;
      for (let j = k; j < end; j += 1) terms[j]!.tags.add(TAGS.aside);
      k = end;
    }
  });
}

/**
 * "Maria Lopez is VP Engineering and reports to Omar Haddad": the first predicate, up to "and",
 * is an aside for the second one (whose templates start with $subject).
 */
function tagCoordinatedPredicates(analysis: ChunkAnalysis, n: number): void {
  const terms = analysis.sentences[n]!;
  const row = analysis.mentionAt[n]!;
  for (let k = 1; k < terms.length; k += 1) {
    const subject = row[k - 1];
    if (!subject || row[k] || !hasTag(terms[k]!, 'Verb', 'Adverb') || HARD_BREAK.test(terms[k - 1]!.post)) continue;
    for (let j = k + 1; j < terms.length - 1 && j - k < 10; j += 1) {
      if (HARD_BREAK.test(terms[j - 1]!.post) && !/^,\s*$/.test(terms[j - 1]!.post)) break;
      if (termWord(terms[j]!) !== 'and' || terms[j]!.tags.has(TAGS.join)) continue;
      const next = terms[j + 1]!;
      const verb = hasTag(next, 'Verb') || (hasTag(next, 'Adverb') && j + 2 < terms.length && hasTag(terms[j + 2]!, 'Verb'));
      if (verb && !row[j + 1]) for (let t = k; t <= j; t += 1) terms[t]!.tags.add(TAGS.aside);
      break;
    }
  }
}
