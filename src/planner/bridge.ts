/**
 * Hybrid questions in the "documents first" direction: a question that describes someone only the
 * documents know ("the person who ran infrastructure at Initech", "the Engineer of the Year 2024")
 * and then asks the graph about them. The description is asked of the documents as a question of
 * its own; a node named in the supporting sentence stands in for it; the question is then asked
 * of the graph with that name.
 */
import { FUNCTION_WORDS, isStopword, tokenize } from './lexicon.ts';

export interface Description {
  /** The describing phrase, as written in the question. */
  text: string;
  /** Character offsets of the phrase in the question. */
  start: number;
  end: number;
}

/** Determiners that open a describing noun phrase. */
const OPENERS = new Set(['the', 'a', 'an', 'that', 'this']);
const LOOK_BACK = 4;
const RELATIVES = new Set(['who', 'whom', 'whose', 'that', 'which']);
const RELATIVE_LOOK_BACK = 10;

/**
 * The phrase around the words the graph could not place: from the determiner before the first of
 * them to the end of the question. Descriptions trail the question in English ("… assigned to the
 * person who …"), so what follows is part of the description.
 */
export function descriptionSpan(question: string, unexplained: readonly string[]): Description | undefined {
  const tokens = tokenize(question);
  const first = tokens.findIndex((t) => unexplained.includes(t.raw));
  if (first < 0) return undefined;
  // "the person who manages the Blue Harbor Bank relationship": a relative clause belongs to the
  // noun before it, so the phrase opens before that noun, not at the nearest "the".
  let relative = -1;
  for (let i = first - 1; i >= Math.max(0, first - RELATIVE_LOOK_BACK); i--) {
    if (RELATIVES.has(tokens[i]!.text)) {
      relative = i;
      break;
    }
  }
  const from = relative > 0 ? relative - 1 : first;
  let start = from;
  for (let i = from - 1; i >= Math.max(0, from - LOOK_BACK); i--) {
    if (OPENERS.has(tokens[i]!.text)) {
      start = i;
      break;
    }
  }
  // A description that is the whole question leaves nothing to ask the graph.
  if (start === 0) return undefined;
  let last = tokens.length - 1;
  while (last > first && (FUNCTION_WORDS.has(tokens[last]!.text) || isStopword(tokens[last]!.text))) last--;
  const begin = tokens[start]!.start;
  const end = tokens[tokens.length - 1]!.end;
  return { text: question.slice(begin, tokens[last]!.end), start: begin, end };
}

/** The question with the description replaced by a name. */
export function withName(question: string, d: Description, name: string): string {
  return `${question.slice(0, d.start)}${name}${question.slice(d.end)}`.replace(/\s+\?/, '?');
}

/** Entities named in the supporting quotes, not named in the question itself: who the description means. */
export function namedIn(quotes: readonly string[], entities: ReadonlyArray<{ name: string }>, question: string): string[] {
  const text = quotes.join(' ');
  return [...new Set(entities.map((e) => e.name))].filter((n) => n.includes(' ') && text.includes(n) && !question.includes(n));
}
