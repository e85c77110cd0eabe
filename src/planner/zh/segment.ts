/**
 * Chinese text: whether a question is Chinese, and its words. Segmentation is jieba
 * (`@node-rs/jieba`, its bundled dictionary) with the planner's own general words added, so that
 * "入职" or "截止日期" come out as one word whatever the dictionary's frequencies say.
 */
import { createRequire } from 'node:module';
import type { Jieba } from '@node-rs/jieba';
import { ZH_WORDS } from './lexicon.ts';

const HAN = /\p{Script=Han}/u;
const HAN_G = /\p{Script=Han}/gu;

/** A question with Chinese characters in it is read as Chinese (English names and terms may be mixed in). */
export function isChinese(text: string): boolean {
  return HAN.test(text);
}

/** Share of letters that are Han characters (0 when there are none). */
export function hanShare(text: string): number {
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  return letters === 0 ? 0 : (text.match(HAN_G)?.length ?? 0) / letters;
}

let jieba: Jieba | undefined;

function segmenter(): Jieba {
  if (!jieba) {
    // Loaded on the first Chinese text (a native module and a 5 MB dictionary): English questions never pay for it.
    const require = createRequire(import.meta.url);
    const { dict } = require('@node-rs/jieba/dict.js') as { dict: Buffer };
    jieba = (require('@node-rs/jieba') as { Jieba: typeof Jieba }).Jieba.withDict(dict);
    // High frequency: the lexicon's words win over the dictionary's splits ("入|职" → "入职").
    const lines = Object.keys(ZH_WORDS).map((w) => `${w} 100000`).join('\n');
    jieba.loadDict(Buffer.from(lines, 'utf8'));
  }
  return jieba;
}

/** Words of `text` in order (punctuation and spaces dropped). */
export function segment(text: string): string[] {
  return segmenter()
    .cut(text, false)
    .map((w) => w.trim())
    .filter((w) => w && /[\p{L}\p{N}]/u.test(w));
}

/**
 * The finest words of `text`, for matching passages against questions: jieba's search mode splits
 * long words into the dictionary words they are made of, and a compound is kept only when its
 * parts are not (so "知识图谱" and "知识|图谱" meet whichever way a sentence was cut).
 */
export function fineWords(text: string): string[] {
  const words = segmenter()
    .cutForSearch(text, false)
    .map((w) => w.trim())
    .filter((w) => w && /[\p{L}\p{N}]/u.test(w));
  const set = new Set(words);
  const splits = (w: string) => [...Array(w.length - 1).keys()].some((k) => set.has(w.slice(0, k + 1)) && set.has(w.slice(k + 1)));
  return words.filter((w) => w.length < 3 || !splits(w));
}
