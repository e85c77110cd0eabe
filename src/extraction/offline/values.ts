import { foldText } from '../../resolution/normalize.ts';
import type { ScalarValue } from '../types.ts';
import type { ChunkAnalysis, EntityRecord, ValueType } from './entities.ts';
import { CURRENCY_WORDS, DURATION_UNITS, MONTHS, MULTIPLIERS } from './lexicon.ts';
import { TAGS } from './patterns.ts';
import { HARD_BREAK, charEnd, charStart, hasTag, isCapitalised, termWord, type Sentence } from './terms.ts';

/**
 * Values: dates, money, percentages and quantities, recognised on compromise's tags and given
 * normalised properties ("March 2021" → value "2021-03", "$34 billion" → amount, currency).
 */

/** Records the value on words [start, end) of sentence n; one record per distinct value and type. */
function addValue(
  analysis: ChunkAnalysis,
  n: number,
  range: { start: number; end: number },
  type: ValueType,
  values: Map<string, EntityRecord>,
  properties: Record<string, ScalarValue>,
  confidence: number,
): void {
  const { start, end } = range;
  const terms = analysis.sentences[n]!;
  const from = charStart(terms[start]!);
  const to = charEnd(terms[end - 1]!);
  const name = analysis.text.slice(from, to).replace(/\s+/g, ' ').replace(/[.,]+$/, '');
  const key = `${type}|${foldText(name)}`;
  let record = values.get(key);
  if (!record) {
    record = { kind: 'value', type, certain: true, name, aliases: new Set(), confidence, start: from, end: from + name.length, properties };
    values.set(key, record);
  }
  for (let k = start; k < end; k += 1) {
    analysis.valueAt[n]![k] = record;
    terms[k]!.tags.add(TAGS[type]);
  }
}

export function markValues(analysis: ChunkAnalysis, n: number, values: Map<string, EntityRecord>): void {
  const terms = analysis.sentences[n]!;
  for (let i = 0; i < terms.length; ) {
    const next = markMoney(analysis, n, i, values) ?? markPercent(analysis, n, i, values) ?? markDate(analysis, n, i, values) ?? markQuantity(analysis, n, i, values);
    i = next ?? i + 1;
  }
}

/** Extends a number over its multipliers ("34 billion"). */
function skipMultipliers(terms: Sentence, i: number): number {
  let j = i;
  while (j < terms.length && (MULTIPLIERS.has(termWord(terms[j]!)) || hasTag(terms[j]!, 'Multiple')) && !HARD_BREAK.test(terms[j - 1]!.post)) j += 1;
  return j;
}

function markMoney(analysis: ChunkAnalysis, n: number, i: number, values: Map<string, EntityRecord>): number | undefined {
  const terms = analysis.sentences[n]!;
  const term = terms[i]!;
  let end: number;
  if (hasTag(term, 'Money') && /\d/.test(term.text)) {
    end = skipMultipliers(terms, i + 1);
    if (end < terms.length && CURRENCY_WORDS.has(termWord(terms[end]!)) && !HARD_BREAK.test(terms[end - 1]!.post)) end += 1;
  } else if (/^\d/.test(term.text) && hasTag(term, 'Value')) {
    end = skipMultipliers(terms, i + 1);
    if (!(end < terms.length && CURRENCY_WORDS.has(termWord(terms[end]!)))) return undefined;
    end += 1;
  } else {
    return undefined;
  }
  const text = terms.slice(i, end).map((t) => t.text).join(' ');
  addValue(analysis, n, { start: i, end }, 'Money', values, moneyProperties(text), 0.9);
  return end;
}

function markPercent(analysis: ChunkAnalysis, n: number, i: number, values: Map<string, EntityRecord>): number | undefined {
  const terms = analysis.sentences[n]!;
  const term = terms[i]!;
  if (!/\d/.test(term.text)) return undefined;
  let end = i + 1;
  const next = terms[i + 1];
  if (next && ['percent', 'pct'].includes(termWord(next))) end = i + 2;
  else if (next && termWord(next) === 'per' && terms[i + 2] && termWord(terms[i + 2]!) === 'cent') end = i + 3;
  else if (!(hasTag(term, 'Percent') && term.text.includes('%'))) return undefined;
  const value = numericValue(term.text);
  addValue(analysis, n, { start: i, end }, 'Percent', values, value === undefined ? {} : { value }, 0.9);
  return end;
}

function isDateWord(terms: Sentence, k: number): 'year' | 'month' | 'day' | 'quarter' | undefined {
  const term = terms[k]!;
  const word = termWord(term);
  const monthName = MONTHS.has(word) && word.length > 3 && word !== 'march' ? true : word === 'march' && /^M/.test(term.text);
  if ((hasTag(term, 'Month') || monthName) && !hasTag(term, 'Person')) {
    // "Jun Park", "April Ross": a month name directly before another capitalised word is a name.
    const next = terms[k + 1];
    const beforeName = next && /^\p{Lu}/u.test(next.text) && !hasTag(next, 'Month', 'Year', 'Value') && !HARD_BREAK.test(term.post);
    return beforeName ? undefined : 'month';
  }
  if (/^(1[0-9]|20)\d\d$/.test(word) && hasTag(term, 'Year', 'Date', 'Value')) return 'year';
  if (/^q[1-4]$/.test(word)) return 'quarter';
  if (/^\d{1,2}(st|nd|rd|th)?$/.test(word)) {
    const nearMonth = (j: number) => j >= 0 && j < terms.length && hasTag(terms[j]!, 'Month');
    if (nearMonth(k - 1) || nearMonth(k + 1)) return 'day';
  }
  return undefined;
}

function markDate(analysis: ChunkAnalysis, n: number, i: number, values: Map<string, EntityRecord>): number | undefined {
  const terms = analysis.sentences[n]!;
  const kind = isDateWord(terms, i);
  if (!kind) return undefined;
  // A year followed by a counted noun is a quantity ("2000 employees").
  const after = terms[i + 1];
  if (kind === 'year' && after && hasTag(after, 'Plural') && !HARD_BREAK.test(terms[i]!.post) && !isDateWord(terms, i + 1)) return undefined;
  let end = i + 1;
  while (end < terms.length && isDateWord(terms, end) && !/[;:()]/.test(terms[end - 1]!.post)) end += 1;
  // "June of 2020"
  if (end + 1 < terms.length && termWord(terms[end]!) === 'of' && isDateWord(terms, end + 1) === 'year') end += 2;
  const words = terms.slice(i, end).map((t) => t.text);
  const name = analysis.text.slice(charStart(terms[i]!), charEnd(terms[end - 1]!)).replace(/[.,]+$/, '');
  addValue(analysis, n, { start: i, end }, 'Date', values, { value: isoDate(words, name) }, 0.9);
  return end;
}

function markQuantity(analysis: ChunkAnalysis, n: number, i: number, values: Map<string, EntityRecord>): number | undefined {
  const terms = analysis.sentences[n]!;
  const term = terms[i]!;
  if (!/^\d[\d,.]*$/.test(term.text) || !hasTag(term, 'Value')) return undefined;
  let end = skipMultipliers(terms, i + 1);
  if (end < terms.length && hasTag(terms[end]!, 'Adjective') && !HARD_BREAK.test(terms[end - 1]!.post)) end += 1;
  const noun = terms[end];
  if (!noun || HARD_BREAK.test(terms[end - 1]!.post) || isCapitalised(noun)) return undefined;
  const unit = termWord(noun);
  if (DURATION_UNITS.has(unit) || !(hasTag(noun, 'Plural') || hasTag(noun, 'Unit'))) return undefined;
  const text = terms.slice(i, end + 1).map((t) => t.text).join(' ');
  addValue(analysis, n, { start: i, end: end + 1 }, 'Quantity', values, quantityProperties(text, unit), 0.8);
  return end + 1;
}

/** "4 May 2022" → "2022-05-04", "March 2021" → "2021-03", "Q3 2022" → "2022-Q3", "2019" → "2019"; otherwise the text. */
export function isoDate(words: readonly string[], text: string): string {
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let quarter: number | undefined;
  for (const raw of words) {
    const w = raw.toLowerCase().replace(/[.,]/g, '');
    const q = /^q([1-4])$/.exec(w);
    if (q) quarter = Number(q[1]);
    else if (/^(1[0-9]|20)\d\d$/.test(w)) year = Number(w);
    else if (MONTHS.has(w)) month = MONTHS.get(w);
    else if (/^\d{1,2}(st|nd|rd|th)?$/.test(w)) {
      const d = parseInt(w, 10);
      if (d >= 1 && d <= 31) day = d;
    }
  }
  if (year === undefined) return text;
  if (quarter !== undefined) return `${year}-Q${quarter}`;
  if (month === undefined) return String(year);
  const mm = String(month).padStart(2, '0');
  if (day === undefined) return `${year}-${mm}`;
  return `${year}-${mm}-${String(day).padStart(2, '0')}`;
}

const CURRENCY_SYMBOLS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY', '₹': 'INR' };
const CURRENCY_CODES: Record<string, string> = {
  dollar: 'USD', dollars: 'USD', usd: 'USD', euro: 'EUR', euros: 'EUR', eur: 'EUR', pound: 'GBP', pounds: 'GBP',
  gbp: 'GBP', yen: 'JPY', jpy: 'JPY', yuan: 'CNY', cny: 'CNY', chf: 'CHF', francs: 'CHF', cad: 'CAD', aud: 'AUD', rupees: 'INR',
};
const MULTIPLIER_VALUES: Record<string, number> = {
  thousand: 1e3, k: 1e3, million: 1e6, m: 1e6, mn: 1e6, billion: 1e9, bn: 1e9, b: 1e9, trillion: 1e12, tn: 1e12,
};

/** "3 million", "$27.7 billion", "€200m", "12%" → the number they state, when they state one. */
export function numericValue(text: string): number | undefined {
  const m = /(\d[\d,]*(?:\.\d+)?)\s*([a-z]+)?(?:\s+([a-z]+))?/i.exec(text);
  if (!m) return undefined;
  let value = Number(m[1]!.replace(/,/g, ''));
  if (!Number.isFinite(value)) return undefined;
  for (const word of [m[2], m[3]]) {
    const factor = word ? MULTIPLIER_VALUES[word.toLowerCase()] : undefined;
    if (factor) {
      value *= factor;
      break;
    }
  }
  return value;
}

export function moneyProperties(text: string): Record<string, ScalarValue> {
  const properties: Record<string, ScalarValue> = {};
  const amount = numericValue(text);
  if (amount !== undefined) properties.amount = amount;
  const symbol = [...text].find((ch) => ch in CURRENCY_SYMBOLS);
  const code = symbol ? CURRENCY_SYMBOLS[symbol] : text.toLowerCase().split(/\s+/).map((w) => CURRENCY_CODES[w]).find(Boolean);
  if (code) properties.currency = code;
  return properties;
}

export function quantityProperties(text: string, unit: string): Record<string, ScalarValue> {
  const value = numericValue(text);
  return value === undefined ? { unit } : { value, unit };
}
