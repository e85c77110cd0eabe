import { foldText, normalizeName } from '../../resolution/normalize.ts';
import type { ChunkAnalysis, EntityRecord, Mention } from './entities.ts';
import {
  ABBREVIATED_SUFFIXES,
  COMMON_NOUN_SUFFIX,
  CORPORATE_SUFFIXES,
  HONORIFICS,
  NAME_PARTICLES,
  OF_HEADS,
  ORG_HEADS,
  ORG_PREFIXES,
  PLACE_HEADS,
  SENTENCE_OPENERS,
  UNIT_NOUNS,
  lexiconTags,
} from './lexicon.ts';
import { TAGS, type NodeType } from './patterns.ts';
import {
  HARD_BREAK,
  NAME_LEXICON_TAGS,
  charEnd,
  charStart,
  hasTag,
  isAcronym,
  isCapitalised,
  isCommonWord,
  isPossessive,
  termWord,
  type RawTerm,
} from './terms.ts';

/**
 * Names of people, organisations and places: capitalised spans (with connectors such as "&",
 * "of", "van"), typed by legal suffixes, head words, titles, compromise's tags and lexicon, and
 * context; mentions of one thing in a chunk are linked (short forms, surnames, acronyms).
 * Names that no rule can type get a guess that the relation patterns may overrule.
 */

interface Classification {
  type: NodeType;
  certain: boolean;
  confidence: number;
  needsEvidence?: boolean;
}

export interface NameSpan {
  sentence: number;
  /** Token range including a leading title. */
  start: number;
  end: number;
  /** Token range of the name itself. */
  nameStart: number;
  nameEnd: number;
  honorific: boolean;
  unit: boolean;
  alias?: string;
}

/** Place head words that are also common surnames ("Jun Park", "Emma Stone"). */
const SURNAME_LIKE_PLACE_HEADS = new Set(['park', 'hill', 'hills', 'wood', 'woods', 'ford', 'field', 'fields', 'brook', 'brooks', 'lake', 'stone', 'banks', 'rivers', 'bay', 'mount']);
/** "Series B", "Phase 3": capitalised labels that are not names. */
const LABEL_WORDS = new Set(['series', 'phase', 'version', 'model', 'type', 'class', 'grade', 'level', 'stage', 'round', 'chapter', 'section', 'figure', 'table', 'appendix', 'article', 'tier', 'step', 'part']);
/** Words after which an unknown single name is more likely a place ("born in Ibadan"). */
const PLACE_PREPOSITIONS = new Set(['in', 'near', 'outside', 'around']);
/** Capitalised abbreviations of things, not of organisations. */
const STOP_ACRONYMS = new Set(['5g', '4g', '3g', '3d', '4k', '8k', '2fa', 'vpn', 'sso', 'mfa', 'crm', 'erp', 'okr', 'okrs', 'sla', 'slas', 'sdk', 'cli', 'gpu', 'cpu', 'ram', 'ssd', 'os', 'qa', 'eta', 'faq', 'tbd', 'fyi', 'asap', 'pto', 'wfh', 'rsvp', 'ok', 'ai', 'api', 'it', 'tv', 'pdf', 'usb', 'sql', 'gdp', 'ipo', 'esg', 'hr', 'pr', 'ui', 'ux', 'saas', 'b2b', 'etf', 'vat', 'kpi', 'roi', 'rfp', 'ceo', 'q1', 'q2', 'q3', 'q4', 'id', 'url', 'html', 'json', 'csv']);
/** compromise tags that make a capitalised sentence opener a common word. */
const NON_NAME_TAGS = ['Verb', 'Adverb', 'Determiner', 'Pronoun', 'Preposition', 'Conjunction', 'QuestionWord', 'Modal', 'Expression', 'Plural', 'Value', 'Negative', 'Adjective'];
/** Tags of words that cannot start a multi-word name. */
const FUNCTION_TAGS = ['Verb', 'Determiner', 'Pronoun', 'Preposition', 'Conjunction', 'QuestionWord', 'Modal', 'Negative', 'Adverb'];

function isTaken(analysis: ChunkAnalysis, n: number, i: number): boolean {
  return analysis.roleAt[n]![i] !== undefined || analysis.valueAt[n]![i] !== undefined;
}

function isNameWord(analysis: ChunkAnalysis, n: number, i: number): boolean {
  const term = analysis.sentences[n]![i]!;
  if (!isCapitalised(term) || isTaken(analysis, n, i)) return false;
  if (hasTag(term, 'WeekDay', 'Pronoun') && !hasTag(term, 'Person', 'Organization')) return false;
  return true;
}

function isHonorific(term: RawTerm): boolean {
  return HONORIFICS.has(termWord(term).replace(/\.$/, '')) && isCapitalised(term);
}

/** A capitalised first word of a sentence is a name only if nothing says it is a common word. */
function canOpenSentence(analysis: ChunkAnalysis, n: number, i: number): boolean {
  const terms = analysis.sentences[n]!;
  const term = terms[i]!;
  const word = termWord(term);
  if (SENTENCE_OPENERS.has(word)) return false;
  // The same word capitalised inside another sentence of the chunk is a name ("Oracle").
  if (analysis.innerCapitalised.has(word)) return true;
  const lexical = lexiconTags(word);
  if (lexical.some((t) => NAME_LEXICON_TAGS.has(t))) return true;
  // "Blue Harbor Bank", "Orbital Freight": several capitalised words in a row make a name.
  const nextIsName = i + 1 < terms.length && isNameWord(analysis, n, i + 1) && !HARD_BREAK.test(term.post) && !isPossessive(term);
  if (nextIsName) {
    // "Harvest Group", "Northgate Insurance": an organisation word after it settles it.
    const nextWord = termWord(terms[i + 1]!);
    if (ORG_HEADS.has(nextWord) || CORPORATE_SUFFIXES.has(nextWord)) return true;
    return !hasTag(term, ...FUNCTION_TAGS);
  }
  if (hasTag(term, ...NON_NAME_TAGS) && !hasTag(term, 'Person', 'Organization', 'Place')) return false;
  return lexical.length === 0 && !COMMON_NOUN_SUFFIX.test(word);
}

function continuesName(analysis: ChunkAnalysis, n: number, last: number, next: number): boolean {
  const terms = analysis.sentences[n]!;
  const prev = terms[last]!;
  if (next >= terms.length || isPossessive(prev)) return false;
  if (HARD_BREAK.test(terms[next]!.pre)) return false;
  if (HARD_BREAK.test(prev.post) && !/^\.\s*$/.test(prev.post)) return false;
  // "Corp." ends a name; "St. Louis" does not.
  if (/^\.\s*$/.test(prev.post) && !['st', 'mt', 'ft'].includes(termWord(prev))) return false;
  return isNameWord(analysis, n, next);
}

/** Connectors inside names: "Johnson & Johnson", "Bank of Montreal", "Ludwig van Beethoven". */
function connectorLength(analysis: ChunkAnalysis, n: number, spanStart: number, last: number): number {
  const terms = analysis.sentences[n]!;
  const j = last + 1;
  const connector = terms[j];
  if (!connector || HARD_BREAK.test(terms[last]!.post) || isPossessive(terms[last]!)) return 0;
  const word = termWord(connector);
  const joinsName = (len: number) =>
    j + len < terms.length && isNameWord(analysis, n, j + len) && !HARD_BREAK.test(terms[j + len - 1]!.post) && !HARD_BREAK.test(terms[j + len]!.pre);
  if (word === '&' && joinsName(1)) return 1;
  if ((word === 'of' || word === 'for') && OF_HEADS.has(termWord(terms[last]!))) {
    if (joinsName(1)) return 1;
    if (terms[j + 1] && termWord(terms[j + 1]!) === 'the' && joinsName(2)) return 2;
  }
  if (NAME_PARTICLES.has(word) && !isCapitalised(connector) && last >= spanStart && joinsName(1)) return 1;
  return 0;
}

export function findNameSpans(analysis: ChunkAnalysis, n: number): NameSpan[] {
  const terms = analysis.sentences[n]!;
  const spans: NameSpan[] = [];
  for (let i = 0; i < terms.length; ) {
    const start = i;
    let nameStart = i;
    let honorific = false;
    while (nameStart < terms.length - 1 && isHonorific(terms[nameStart]!) && !isTaken(analysis, n, nameStart) && isNameWord(analysis, n, nameStart + 1)) {
      honorific = true;
      nameStart += 1;
    }
    if (!isNameWord(analysis, n, nameStart) || (nameStart === 0 && !honorific && !canOpenSentence(analysis, n, 0))) {
      i = start + 1;
      continue;
    }
    let end = nameStart + 1;
    for (;;) {
      if (continuesName(analysis, n, end - 1, end)) {
        end += 1;
        continue;
      }
      const skip = connectorLength(analysis, n, nameStart, end - 1);
      if (skip > 0) {
        end += skip + 1;
        continue;
      }
      break;
    }
    const span: NameSpan = { sentence: n, start, end, nameStart, nameEnd: end, honorific, unit: false };
    // "the Search Infrastructure team": a lower-case unit noun makes the name an organisational unit.
    const after = terms[end];
    // "the Search Infrastructure team" is a unit; "the Oslo team" and "the Westpac team" are not.
    const unitName = terms.slice(nameStart, end);
    const commonWords = !unitName.some((t) => hasTag(t, 'Person', 'Place') || lexiconTags(termWord(t)).some((x) => NAME_LEXICON_TAGS.has(x)))
      && (unitName.length > 1 || isCommonWord(termWord(unitName[0]!)) || COMMON_NOUN_SUFFIX.test(termWord(unitName[0]!)));
    if (after && commonWords && UNIT_NOUNS.has(termWord(after)) && !isCapitalised(after) && !HARD_BREAK.test(terms[end - 1]!.post) && !isPossessive(terms[end - 1]!)) {
      span.end = span.nameEnd = end + 1;
      span.unit = true;
    }
    // compromise may read "Consulting's" as "Consulting is" and add an empty word: it belongs to the mention.
    if (terms[span.end] && terms[span.end]!.text === '' && isPossessive(terms[span.end - 1]!)) span.end += 1;
    // "International Business Machines (IBM)": the parenthesised acronym is an alias.
    const paren = terms[span.end];
    if (paren && /\(\s*$/.test(terms[span.end - 1]!.post + paren.pre) && /^\s*\)/.test(paren.post) && isAcronym(paren)) {
      span.alias = paren.text;
      span.end += 1;
    }
    // "CUSTOMER ESCALATION NOTES": three or more words in capitals are a heading, not a name.
    const heading = span.nameEnd - span.nameStart >= 3 && terms.slice(span.nameStart, span.nameEnd).every((t) => t.text.length > 1 && t.text === t.text.toUpperCase() && /\p{L}/u.test(t.text));
    const labelWords = span.nameEnd - span.nameStart === 2 && LABEL_WORDS.has(termWord(terms[span.nameStart]!)) && terms[span.nameEnd - 1]!.text.length <= 2;
    // "AI", "API", "5G" alone are no names ("Seraph AI" is).
    const single = span.nameEnd - span.nameStart === 1 ? terms[span.nameStart]! : undefined;
    // "the Polish company": a nationality alone is no entity.
    const stopWord = single !== undefined && (STOP_ACRONYMS.has(termWord(single)) || hasTag(single, 'Demonym') || lexiconTags(termWord(single)).includes('Demonym'));
    if (!labelWords && !stopWord && !heading) spans.push(span);
    i = span.end;
  }
  return spans;
}

function spanName(analysis: ChunkAnalysis, span: NameSpan): { name: string; from: number; to: number } {
  const terms = analysis.sentences[span.sentence]!;
  const first = terms[span.nameStart]!;
  const last = terms[span.nameEnd - 1]!;
  const from = charStart(first);
  let to = charEnd(last);
  let name = analysis.text.slice(from, to);
  name = name.replace(/['’]s$/i, '').replace(/(s)['’]$/, '$1');
  // Keep the period of "Inc." / "Corp." as written.
  if (ABBREVIATED_SUFFIXES.has(termWord(last)) && last.post.startsWith('.') && span.nameEnd - span.nameStart > 1) name += '.';
  name = name.replace(/\s+/g, ' ').trim();
  to = from + name.length;
  return { name, from, to };
}

function words(analysis: ChunkAnalysis, span: NameSpan): RawTerm[] {
  return analysis.sentences[span.sentence]!.slice(span.nameStart, span.nameEnd);
}

/** Decides a name's type from its own words and its neighbours; uncertain names get a guess. */
function classify(analysis: ChunkAnalysis, span: NameSpan): Classification {
  const terms = words(analysis, span);
  const sentence = analysis.sentences[span.sentence]!;
  const lower = terms.map(termWord);
  const lastWord = lower[lower.length - 1]!;
  const lexFirst = lexiconTags(lower[0]!);
  const lexLast = lexiconTags(lastWord);
  const allPlace = terms.every((t) => hasTag(t, 'Place') || NAME_PARTICLES.has(termWord(t)));
  if (span.unit) return { type: 'Organization', certain: true, confidence: 0.75 };
  if (span.honorific) return { type: 'Person', certain: true, confidence: 0.95 };
  if (lower.includes('&') || (lower.length > 1 && CORPORATE_SUFFIXES.has(lastWord))) return { type: 'Organization', certain: true, confidence: 0.95 };
  const ofIndex = lower.findIndex((w) => w === 'of' || w === 'for');
  if (ofIndex > 0 && ORG_HEADS.has(lower[ofIndex - 1]!)) return { type: 'Organization', certain: true, confidence: 0.9 };
  if (ofIndex > 0) return { type: 'Place', certain: true, confidence: 0.7 };
  const firstIsFirstName = lexFirst.some((t) => t === 'FirstName' || t === 'MaleName' || t === 'FemaleName');
  if (lower.length >= 2 && firstIsFirstName && !ORG_HEADS.has(lastWord) && !CORPORATE_SUFFIXES.has(lastWord)) {
    // "Morgan Stanley": two given names may just as well be a firm.
    const lastIsGiven = lexLast.some((t) => t === 'FirstName' || t === 'MaleName' || t === 'FemaleName');
    return { type: 'Person', certain: !lastIsGiven, confidence: lastIsGiven ? 0.6 : 0.9 };
  }
  if (lower.length >= 2 && ORG_HEADS.has(lastWord)) return { type: 'Organization', certain: true, confidence: 0.85 };
  if (lower.length >= 2 && PLACE_HEADS.has(lastWord) && !hasTag(terms[0]!, 'Person')) {
    // "Central Park" or "Jun Park": with an unknown first word, a surname-like head is only a guess.
    const surnameLike = SURNAME_LIKE_PLACE_HEADS.has(lastWord);
    return { type: 'Place', certain: !surnameLike, confidence: surnameLike ? 0.5 : 0.8 };
  }
  // "Austin, Texas": a name followed by a region or country is a place.
  const after = sentence[span.end];
  if (HARD_BREAK.test(sentence[span.end - 1]!.post) && after && hasTag(after, 'Country', 'Region') && /,/.test(sentence[span.end - 1]!.post) && lower.length <= 3) {
    return { type: 'Place', certain: true, confidence: 0.85 };
  }
  if (allPlace || (lower.length === 1 && lexFirst.some((t) => ['City', 'Country', 'Region', 'Place'].includes(t)))) {
    return { type: 'Place', certain: true, confidence: 0.85 };
  }
  if (terms.some((t) => hasTag(t, 'Organization')) || lexFirst.includes('Organization')) {
    return { type: 'Organization', certain: lower.length > 1 || lexFirst.includes('Organization'), confidence: 0.8 };
  }
  if (lower.length >= 2 && terms.every((t) => hasTag(t, 'Person'))) return { type: 'Person', certain: true, confidence: 0.85 };
  if (lower.length >= 2 && lexLast.includes('LastName')) return { type: 'Person', certain: true, confidence: 0.8 };
  if (lower.length === 1 && (lexFirst.includes('LastName') || hasTag(terms[0]!, 'LastName'))) return { type: 'Person', certain: false, confidence: 0.6 };
  if (lower.length === 1 && isAcronym(terms[0]!)) return { type: 'Organization', certain: false, confidence: 0.6 };
  // Unknown words: two or three capitalised words are most often a person, one word a company,
  // or a place after "in"/"from" ("born in Ibadan").
  if (ORG_PREFIXES.has(lower[0]!) && lower.length >= 2) return { type: 'Organization', certain: true, confidence: 0.85 };
  // "Bergen Wind", "Red Hat": a common word at the end suggests a company rather than a person.
  if (lower.length >= 2 && lower.length <= 3) {
    return isCommonWord(lastWord) ? { type: 'Organization', certain: false, confidence: 0.55 } : { type: 'Person', certain: false, confidence: 0.55 };
  }
  const before = span.start > 0 ? termWord(sentence[span.start - 1]!) : '';
  const needsEvidence = isCommonWord(lastWord) || COMMON_NOUN_SUFFIX.test(lastWord);
  if (PLACE_PREPOSITIONS.has(before)) return { type: 'Place', certain: false, confidence: 0.5, needsEvidence };
  return { type: 'Organization', certain: false, confidence: 0.5, needsEvidence };
}

/** Merges mentions of one thing ("Acme Corp" … "Acme", "IBM" for "International Business Machines (IBM)", "Smith" for "Jane Smith"). */
export function linkMentions(analysis: ChunkAnalysis, spans: NameSpan[]): EntityRecord[] {
  const entities: EntityRecord[] = [];
  const byKey = new Map<string, EntityRecord>();
  const byAlias = new Map<string, EntityRecord>();
  const resolved = new Map<NameSpan, EntityRecord>();
  const infos = spans.map((span) => ({ span, ...spanName(analysis, span), cls: classify(analysis, span) }));
  const keyOf = (name: string, type: string) => `${type}|${normalizeName(name, type)}`;
  const create = (info: (typeof infos)[number]): EntityRecord => {
    const record: EntityRecord = {
      kind: 'node', type: info.cls.type, certain: info.cls.certain, name: info.name, aliases: new Set(),
      confidence: info.cls.confidence, start: info.from, end: info.to,
      ...(info.cls.needsEvidence ? { needsEvidence: true } : {}),
    };
    entities.push(record);
    byKey.set(keyOf(info.name, info.cls.type), record);
    return record;
  };
  const addAlias = (record: EntityRecord, alias: string | undefined) => {
    if (!alias || foldText(alias) === foldText(record.name)) return;
    record.aliases.add(alias);
    byAlias.set(foldText(alias), record);
  };
  // Pass 1: names whose type is certain and that are more than one word define the entities.
  for (const info of infos) {
    if (!info.cls.certain || info.span.nameEnd - info.span.nameStart < 2) continue;
    const record = byKey.get(keyOf(info.name, info.cls.type)) ?? create(info);
    addAlias(record, info.span.alias);
    resolved.set(info.span, record);
  }
  // Pass 2: the rest link to those when they can, else become entities of their own.
  for (const info of infos) {
    if (resolved.has(info.span)) continue;
    const record = findExisting(info.name, info.cls, entities, byKey, byAlias) ?? create(info);
    addAlias(record, info.span.alias);
    resolved.set(info.span, record);
  }
  for (const info of infos) {
    const record = resolved.get(info.span)!;
    if (info.from < record.start) {
      record.start = info.from;
      record.end = info.to;
    }
    const mention: Mention = { sentence: info.span.sentence, start: info.span.start, end: info.span.end, entity: record };
    for (let k = mention.start; k < mention.end; k += 1) analysis.mentionAt[mention.sentence]![k] = mention;
  }
  tagMentions(analysis);
  return entities;
}

function findExisting(
  name: string,
  cls: Classification,
  entities: EntityRecord[],
  byKey: Map<string, EntityRecord>,
  byAlias: Map<string, EntityRecord>,
): EntityRecord | undefined {
  const alias = byAlias.get(foldText(name));
  if (alias) return alias;
  const same = byKey.get(`${cls.type}|${normalizeName(name, cls.type)}`);
  if (same) return same;
  const folded = foldText(name);
  // "Dr. Walsh" after "Dr. Karen Walsh": a titled surname is the same person when only one fits.
  if (cls.certain && cls.type === 'Person' && !folded.includes(' ')) {
    const people = entities.filter((e) => e.type === 'Person' && foldText(e.name).split(' ').slice(1).includes(folded));
    return people.length === 1 ? people[0] : undefined;
  }
  if (cls.certain) return undefined;
  // An uncertain name may be a short form of a certain one: "Acme" of "Acme Corp", "Smith" of "Jane Smith".
  for (const type of ['Organization', 'Person', 'Place'] as const) {
    const hit = byKey.get(`${type}|${normalizeName(name, type)}`);
    if (hit && hit.certain) return hit;
  }
  if (folded.includes(' ')) return undefined;
  const surname = entities.filter((e) => e.type === 'Person' && e.certain && foldText(e.name).split(' ').slice(1).includes(folded));
  if (surname.length === 1 && (cls.type === 'Person' || !cls.certain)) return surname[0];
  const head = entities.filter((e) => e.type === 'Organization' && e.certain && foldText(e.name).split(' ')[0] === folded);
  if (head.length === 1) return head[0];
  return undefined;
}

function tagFor(entity: EntityRecord): string {
  return entity.certain ? TAGS[entity.type as NodeType] : TAGS.unknown;
}

function tagMentions(analysis: ChunkAnalysis): void {
  analysis.mentionAt.forEach((row, n) => {
    row.forEach((mention, k) => {
      if (!mention) return;
      const term = analysis.sentences[n]![k]!;
      term.tags.add(tagFor(mention.entity));
      if (mention.entity.type === 'Place' && isRegion(mention.entity.name)) term.tags.add(TAGS.region);
    });
  });
}

/** A country or state/region ("Texas", "United Arab Emirates"), by compromise's lexicon. */
function isRegion(name: string): boolean {
  const tags = lexiconTags(name.toLowerCase());
  return tags.includes('Country') || tags.includes('Region');
}

