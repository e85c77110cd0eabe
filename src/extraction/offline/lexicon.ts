import { compromise } from '../../nlp.ts';

/**
 * Closed word lists the offline recogniser relies on where compromise's tagger is weak. All
 * entries are lower case and compared with compromise's `normal`/`machine` forms.
 */

/** Legal forms that end an organisation name ("Acme Corp.", "Contoso Ltd"). */
export const CORPORATE_SUFFIXES: ReadonlySet<string> = new Set([
  'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'ltd', 'limited', 'llc', 'llp', 'lp', 'plc',
  'gmbh', 'ag', 'sa', 'sas', 'sarl', 'bv', 'nv', 'oy', 'ab', 'spa', 'srl', 'pty', 'kk', 'holdings', 'group',
]);

/** Abbreviated legal forms whose trailing period belongs to the name ("Inc."). */
export const ABBREVIATED_SUFFIXES: ReadonlySet<string> = new Set(['inc', 'corp', 'ltd', 'co', 'jr', 'sr']);

/**
 * Head words that make a capitalised name an organisation when they end it ("Kestrel Analytics").
 * compromise ships a list of its own (model().two.orgWords); ours adds the tech/business vocabulary
 * it lacks.
 */
const OWN_ORG_HEADS = [
  'analytics', 'technologies', 'technology', 'tech', 'labs', 'laboratories', 'systems', 'software', 'solutions',
  'networks', 'robotics', 'dynamics', 'logistics', 'ventures', 'biosciences', 'therapeutics', 'biotech', 'pharma',
  'health', 'healthcare', 'medical', 'clinic', 'studios', 'studio', 'games', 'semiconductor', 'semiconductors',
  'electronics', 'instruments', 'cloud', 'security', 'finance', 'fintech', 'foods', 'motors', 'airlines', 'air',
  'freight', 'shipping', 'minerals', 'mining', 'steel', 'energy', 'traders', 'trading', 'capital', 'partners',
  'consulting', 'bank', 'bancorp', 'credit', 'insurance', 'university', 'institute', 'college', 'academy',
  'foundation', 'association', 'council', 'agency', 'authority', 'ministry', 'department', 'hub', 'lab',
  'industries', 'enterprises', 'holdings', 'group', 'media', 'press', 'post', 'times', 'data', 'ai', 'digital',
  'interactive', 'audio', 'bikes', 'dairy', 'coffee', 'design', 'pharmaceuticals', 'telecom', 'automotive',
  'aerospace', 'materials', 'chemicals', 'brands', 'retail', 'stores', 'markets', 'exchange', 'fund', 'trust',
  'union', 'society', 'commission', 'committee', 'board', 'office', 'services', 'communications', 'payments',
  'apparel', 'fashion', 'cosmetics', 'ferries', 'airways', 'rail', 'railways', 'transport', 'transit', 'express',
  'photonics', 'optics', 'microsystems', 'diagnostics', 'genomics', 'biologics', 'devices', 'wind', 'solar',
  'renewables', 'water', 'metals', 'plastics', 'packaging', 'construction', 'builders', 'homes', 'properties',
  'realty', 'advisors', 'advisory', 'lending', 'pharmacy', 'clinics', 'pictures', 'records', 'music', 'publishing',
  'books', 'farms', 'brewing', 'beverages', 'mart', 'outfitters', 'supply', 'supplies', 'wireless', 'broadband',
  'hospitality', 'resorts', 'textiles', 'marine', 'motorsports', 'labs', 'robotics', 'kinetics', 'mechanics', 'aviation',
];

/** First words that make a name an organisation ("Grupo Alameda", "Banco Santander"). */
export const ORG_PREFIXES: ReadonlySet<string> = new Set([
  'grupo', 'groupe', 'gruppo', 'banco', 'banca', 'banque', 'compagnie', 'societe', 'société', 'instituto', 'institut',
  'universidad', 'universidade', 'università', 'universität', 'fundación', 'fundacion', 'ministerio', 'ministère',
]);

/** Endings of common nouns: a capitalised sentence opener ending so ("Inflation", "Management") is no name. */
export const COMMON_NOUN_SUFFIX = /(tion|sion|ment|ness|ity|ance|ence|ism|ship|ure|ings?|ers|ists|ants)$/;

export const ORG_HEADS: ReadonlySet<string> = new Set([...Object.keys(compromiseModelWords('orgWords')), ...OWN_ORG_HEADS]);

/** Lower-case nouns that turn a preceding capitalised name into an organisational unit ("Search Infrastructure team"). */
export const UNIT_NOUNS: ReadonlySet<string> = new Set(['team', 'group', 'division', 'unit', 'department', 'lab', 'squad']);

/** Words after which "of"/"for" continues a name ("Bank of Montreal", "Center for Disease Control"). */
export const OF_HEADS: ReadonlySet<string> = new Set([
  'bank', 'university', 'institute', 'college', 'school', 'academy', 'ministry', 'department', 'museum', 'church',
  'society', 'association', 'federation', 'council', 'board', 'office', 'republic', 'kingdom', 'state', 'city',
  'province', 'county', 'district', 'isle', 'gulf', 'bay', 'center', 'centre', 'foundation', 'agency', 'commission',
  'committee', 'alliance', 'coalition', 'league', 'union', 'house', 'port', 'court',
]);

/** Lower-case particles inside person names ("Ludwig van Beethoven", "Maria de la Cruz"). */
export const NAME_PARTICLES: ReadonlySet<string> = new Set(['van', 'von', 'de', 'der', 'den', 'da', 'di', 'del', 'della', 'la', 'le', 'du', 'bin', 'al', 'ibn']);

/** Titles that precede person names and are not part of them. */
export const HONORIFICS: ReadonlySet<string> = new Set([
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'sir', 'dame', 'madam', 'senator', 'sen',
  'governor', 'gov', 'mayor', 'judge', 'chancellor', 'minister', 'colonel', 'col', 'captain', 'capt', 'rev',
]);

/** Place head words ("Lake Tahoe", "Rocky Mountains"), from compromise plus a few of ours. */
export const PLACE_HEADS: ReadonlySet<string> = new Set([
  ...Object.keys(compromiseModelWords('placeWords')),
  'street', 'avenue', 'square', 'park', 'airport', 'harbour', 'harbor', 'valley', 'region', 'province',
]);

/**
 * Cues that make a statement non-factual when they occur in the matched span or just before it:
 * negation, modality, questions, hedges and reported speculation.
 */
export const NEGATION_WORDS: ReadonlySet<string> = new Set([
  'not', 'never', 'no', 'neither', 'nor', 'nobody', 'none', 'without', 'denied', 'denies', 'deny', 'refused', 'declined',
  'failed', 'longer', 'anymore',
]);
export const MODAL_WORDS: ReadonlySet<string> = new Set([
  'may', 'might', 'could', 'would', 'should', 'can', 'will', 'shall', 'must', 'wo', 'ca',
]);
export const HEDGE_WORDS: ReadonlySet<string> = new Set([
  'if', 'whether', 'unless', 'rumour', 'rumours', 'rumor', 'rumors', 'rumoured', 'rumored', 'speculation',
  'speculate', 'speculated', 'reportedly', 'allegedly', 'unconfirmed', 'unclear', 'unlikely', 'possible', 'possibly',
  'perhaps', 'maybe', 'plan', 'plans', 'planned', 'planning', 'intends', 'intend', 'intended', 'considering', 'consider',
  'considers', 'expected', 'expects', 'expect', 'hopes', 'hoped', 'hope', 'wants', 'wanted', 'talks', 'suggest',
  'suggests', 'suggested', 'wonder', 'wonders', 'wondered', 'proposed', 'proposal', 'potential', 'would-be', 'bid',
  'aims', 'aim', 'seeks', 'seek', 'offer', 'offered', 'attempt', 'attempted', 'tried', 'try', 'tries',
]);

/** Clause boundaries: hedges before one of these do not reach the statement after it. */
export const CLAUSE_BREAKS: ReadonlySet<string> = new Set(['which', 'who', 'whom', 'whose', 'while', 'but', 'and', 'although', 'though', 'because']);

/** Words that start a sentence in capitals without being names. */
export const SENTENCE_OPENERS: ReadonlySet<string> = new Set([
  'meanwhile', 'however', 'today', 'yesterday', 'tomorrow', 'moreover', 'furthermore', 'additionally', 'also',
  'still', 'then', 'thus', 'hence', 'instead', 'overall', 'finally', 'first', 'second', 'third', 'later', 'earlier',
  'previously', 'recently', 'currently', 'following', 'under', 'according', 'after', 'before', 'during', 'since',
  'while', 'when', 'where', 'what', 'who', 'why', 'how', 'which', 'will', 'would', 'could', 'should', 'may', 'might',
  'can', 'did', 'does', 'do', 'is', 'are', 'was', 'were', 'has', 'have', 'had', 'please', 'visit', 'our', 'their',
  'his', 'her', 'its', 'the', 'a', 'an', 'this', 'that', 'these', 'those', 'there', 'here', 'it', 'we', 'they',
  'he', 'she', 'i', 'you', 'nobody', 'everyone', 'someone', 'several', 'most', 'many', 'some', 'all', 'both',
  'neither', 'either', 'each', 'every', 'no', 'not', 'if', 'in', 'on', 'at', 'by', 'for', 'from', 'with', 'as',
  'reports', 'analysts', 'shares', 'sales', 'revenue', 'customers', 'engineers', 'management', 'prices',
]);

/** Currency words after an amount ("5 million euros"). */
export const CURRENCY_WORDS: ReadonlySet<string> = new Set([
  'dollar', 'dollars', 'euro', 'euros', 'pound', 'pounds', 'yen', 'yuan', 'rupees', 'francs', 'usd', 'eur', 'gbp',
  'jpy', 'cny', 'chf', 'cad', 'aud',
]);

/** Multipliers that belong to an amount ("$34 billion", "3 million units"). */
export const MULTIPLIERS: ReadonlySet<string> = new Set(['thousand', 'million', 'billion', 'trillion', 'm', 'bn', 'k', 'mn']);

/** Nouns that make a number a duration rather than a quantity ("eight years"). */
export const DURATION_UNITS: ReadonlySet<string> = new Set([
  'second', 'seconds', 'minute', 'minutes', 'hour', 'hours', 'day', 'days', 'week', 'weeks', 'month', 'months',
  'year', 'years', 'decade', 'decades', 'century', 'centuries', 'times',
]);

export const MONTHS: ReadonlyMap<string, number> = new Map(
  ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
    .flatMap((m, i) => [[m, i + 1], [m.slice(0, 3), i + 1]] as Array<[string, number]>)
    .concat([['sept', 9]]),
);

/** Word lists compromise exposes on its model (org and place head words). */
function compromiseModelWords(key: 'orgWords' | 'placeWords'): Record<string, unknown> {
  const model = compromise().model() as { two?: Record<string, unknown> };
  const words = model.two?.[key];
  return words && typeof words === 'object' ? (words as Record<string, unknown>) : {};
}

/** compromise's lexicon: a gazetteer of first names, surnames, cities, countries and companies. */
export function lexiconTags(word: string): readonly string[] {
  const entry = lexicon()[word];
  if (entry === undefined) return [];
  return Array.isArray(entry) ? entry : [entry];
}

let cachedLexicon: Record<string, string | string[]> | undefined;
function lexicon(): Record<string, string | string[]> {
  if (!cachedLexicon) {
    const model = compromise().model() as { one?: { lexicon?: Record<string, string | string[]> } };
    cachedLexicon = model.one?.lexicon ?? {};
  }
  return cachedLexicon;
}
