import { createHash } from 'node:crypto';

/**
 * Name normalisation shared by extraction, resolution and imports: two spellings of one name
 * normalise to the same key, so that an article's "OpenAI, Inc." and a spreadsheet's "OpenAI"
 * meet on one node.
 */

/** Legal-form suffixes dropped from organisation names ("Acme Corp." = "Acme"). */
const CORPORATE_SUFFIXES = new Set([
  'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'ltd', 'limited', 'llc', 'llp', 'lp', 'plc',
  'gmbh', 'ag', 'sa', 'sas', 'sarl', 'bv', 'nv', 'oy', 'ab', 'as', 'spa', 'srl', 'pty', 'kk', 'group', 'holdings',
]);
/**
 * Chinese legal forms at the end of an organisation name ("云杉数据科技有限公司" = "云杉数据科技",
 * "华夏零售集团" = "华夏零售"); the industry word before them is part of the name.
 */
const CHINESE_LEGAL_FORM = /(?:股份有限公司|有限责任公司|集团有限公司|集团股份有限公司|控股有限公司|有限公司|股份公司|集团公司|控股集团|公司|集团)$/u;
/** Chinese honorifics after a person's name ("张伟先生" = "张伟"). */
const CHINESE_HONORIFIC = /(?:先生|女士|小姐|博士|教授|院士|老师)$/u;
const HAN_ONLY = /^\p{Script=Han}+$/u;

/** Honorifics dropped from person names ("Dr. Jane Smith" = "Jane Smith"). */
const HONORIFICS = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'sir', 'dame', 'madam']);
/** Generational suffixes dropped from person names. */
const PERSON_SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq']);

/** Lower case, no accents, '&' as 'and', punctuation as space, single spaces. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’`]s\b/g, '')
    .replace(/['’`.]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The key two names of the same thing share. Type-aware: legal forms and honorifics drop out. */
export function normalizeName(name: string, type?: string): string {
  let tokens = foldText(name).split(' ').filter(Boolean);
  if (type === 'Organization') {
    if (tokens[0] === 'the' && tokens.length > 1) tokens = tokens.slice(1);
    while (tokens.length > 1 && CORPORATE_SUFFIXES.has(tokens[tokens.length - 1]!)) tokens = tokens.slice(0, -1);
    tokens = stripChinese(tokens, CHINESE_LEGAL_FORM);
  } else if (type === 'Person') {
    while (tokens.length > 1 && HONORIFICS.has(tokens[0]!)) tokens = tokens.slice(1);
    while (tokens.length > 1 && PERSON_SUFFIXES.has(tokens[tokens.length - 1]!)) tokens = tokens.slice(0, -1);
    tokens = stripChinese(tokens, CHINESE_HONORIFIC);
  }
  return tokens.join(' ');
}

/** Drops a Chinese suffix from the last token while at least two characters of the name remain. */
function stripChinese(tokens: string[], suffix: RegExp): string[] {
  const last = tokens[tokens.length - 1];
  if (last === undefined || !HAN_ONLY.test(last)) return tokens;
  const m = suffix.exec(last);
  if (!m || last.length - m[0].length < 2) return tokens;
  return [...tokens.slice(0, -1), last.slice(0, -m[0].length)];
}

/** "International Business Machines" → "ibm"; undefined for single words. */
export function acronymOf(name: string, type?: string): string | undefined {
  const tokens = normalizeName(name, type)
    .split(' ')
    .filter((t) => t && !['of', 'and', 'the', 'for', 'de', 'la', 'du'].includes(t));
  return tokens.length >= 2 ? tokens.map((t) => t[0]).join('') : undefined;
}

/** Id of an entity node: stable for the same (collection, type, key), so concurrent writers MERGE, not duplicate. */
export function entityId(collection: string, type: string, key: string): string {
  return 'ent_' + createHash('sha256').update(`${collection}\u0000${type}\u0000${key}`).digest('hex').slice(0, 24);
}
