/**
 * OCR accuracy and speed: known text rendered to page images with @napi-rs/canvas, recognised by
 * kgrag's OCR (src/ingest/ocr.ts), scored by character error rate (edit distance / reference
 * length, whitespace ignored for Chinese and collapsed for English). Variants: clean pages, and
 * pages with grain, speckle noise and a rotation of up to 2°, as a scanner or phone camera gives them.
 *
 * English text: SciFact abstracts; Chinese: CMRC 2018 passages (../shared/bench). Rendering Chinese
 * needs a CJK font on the machine (fonts-wqy-microhei or fonts-noto-cjk).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { distance } from 'fastest-levenshtein';
import { closeOcr, recognizeImage, tidyOcrText } from '../../src/ingest/ocr.ts';
import { prng } from '../bench/latency.ts';

export type OcrLang = 'eng' | 'chi_sim';
export type Variant = 'clean' | 'noisy';

const PAGE = { width: 1240, height: 1754, margin: 100 }; // A4 at 150 dpi

/** Lays text out on a white page in the given font, wrapping by measured width; returns PNG bytes. */
export async function renderPage(text: string, opts: { font: string; size: number; variant: Variant; seed: number }): Promise<Buffer> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const canvas = createCanvas(PAGE.width, PAGE.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, PAGE.width, PAGE.height);
  const random = prng(opts.seed);
  if (opts.variant === 'noisy') {
    ctx.translate(PAGE.width / 2, PAGE.height / 2);
    ctx.rotate(((random() * 2 - 1) * 2 * Math.PI) / 180); // up to ±2°
    ctx.translate(-PAGE.width / 2, -PAGE.height / 2);
  }
  ctx.fillStyle = '#111';
  ctx.font = `${opts.size}px "${opts.font}"`;
  ctx.textBaseline = 'alphabetic';
  const lineHeight = Math.round(opts.size * 1.6);
  let y = PAGE.margin + opts.size;
  for (const line of wrap(text, (s) => ctx.measureText(s).width, PAGE.width - 2 * PAGE.margin)) {
    if (y > PAGE.height - PAGE.margin) break;
    ctx.fillText(line, PAGE.margin, y);
    y += lineHeight;
  }
  if (opts.variant === 'noisy') {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const image = ctx.getImageData(0, 0, PAGE.width, PAGE.height);
    const px = image.data;
    for (let i = 0; i < px.length; i += 4) {
      // Grey speckle on 4% of pixels and a faint overall grain.
      const grain = (random() - 0.5) * 40;
      const speckle = random() < 0.04 ? (random() < 0.5 ? -120 : 120) : 0;
      for (let c = 0; c < 3; c++) px[i + c] = Math.max(0, Math.min(255, px[i + c]! + grain + speckle));
    }
    ctx.putImageData(image, 0, 0);
  }
  return canvas.encode('png');
}

/** The lines the text wraps into; Chinese breaks between any characters, English between words. */
function wrap(text: string, width: (s: string) => number, max: number): string[] {
  const tokens = text.match(/[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+|\s+/gu) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    const next = line + token;
    if (line && width(next) > max) {
      lines.push(line.trim());
      line = token.trim() ? token : '';
    } else line = next;
  }
  if (line.trim()) lines.push(line.trim());
  return lines;
}

/** The part of the text that fits on one page (what the scorer compares against). */
export function pageText(text: string, lang: OcrLang): string {
  return lang === 'eng' ? text.slice(0, 1400).replace(/\s+\S*$/, '') : text.slice(0, 520);
}

/** Character error rate; full- and half-width forms of a character count as the same (NFKC). */
export function cer(recognised: string, reference: string, lang: OcrLang): number {
  const norm = (s: string) => (lang === 'eng' ? s.normalize('NFKC').replace(/\s+/g, ' ').trim() : s.normalize('NFKC').replace(/\s+/g, ''));
  const ref = norm(reference);
  return ref.length === 0 ? 0 : distance(norm(recognised), ref) / ref.length;
}

function corpusTexts(bench: string, lang: OcrLang, pages: number): string[] {
  const file = path.join(bench, lang === 'eng' ? 'scifact/corpus.jsonl' : 'cmrc2018/corpus.jsonl');
  const min = lang === 'eng' ? 1000 : 400;
  const texts: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { text } = JSON.parse(line) as { text: string };
    if (text.length >= min) texts.push(pageText(text, lang));
    if (texts.length >= pages) break;
  }
  return texts;
}

export interface OcrEvalRow {
  lang: OcrLang;
  variant: Variant;
  pages: number;
  meanCer: number;
  medianCer: number;
  worstCer: number;
  pagesPerSecond: number;
}

export async function runOcrEval(bench: string, opts: { pages: number; noisyPages: number; langs: OcrLang[]; log: (line: string) => void }): Promise<OcrEvalRow[]> {
  const { GlobalFonts } = await import('@napi-rs/canvas');
  const families = GlobalFonts.families.map((f) => f.family);
  const fonts: Record<OcrLang, string | undefined> = {
    eng: families.find((f) => /^DejaVu Serif$|^Liberation Serif$|^DejaVu Sans$/.test(f)) ?? families[0],
    chi_sim: families.find((f) => /WenQuanYi Micro Hei$|Noto Sans CJK SC|Noto Serif CJK SC|WenQuanYi Zen Hei$/.test(f)),
  };
  const rows: OcrEvalRow[] = [];
  try {
    for (const lang of opts.langs) {
      const font = fonts[lang];
      if (!font) {
        opts.log(`${lang}: no font to render it with (install fonts-wqy-microhei or fonts-noto-cjk); skipped`);
        continue;
      }
      const texts = corpusTexts(bench, lang, opts.pages);
      for (const variant of ['clean', 'noisy'] as const) {
        const scores: number[] = [];
        let seconds = 0;
        const pageTexts = texts.slice(0, variant === 'clean' ? opts.pages : opts.noisyPages);
        // All pages are drawn before any is recognised: canvas work does not overlap the OCR worker's.
        const images: Buffer[] = [];
        for (const [i, text] of pageTexts.entries()) images.push(await renderPage(text, { font, size: lang === 'eng' ? 26 : 30, variant, seed: i + 1 }));
        for (const [i, text] of pageTexts.entries()) {
          const png = images[i]!;
          const t0 = performance.now();
          const blocks = await recognizeImage(png, 1, Date.now() + 900_000, `${lang}-${variant}-${i}`);
          seconds += (performance.now() - t0) / 1000;
          scores.push(cer(tidyOcrText(blocks.map((b) => b.text).join(' ')), text, lang));
        }
        const sorted = [...scores].sort((a, b) => a - b);
        const row: OcrEvalRow = {
          lang,
          variant,
          pages: scores.length,
          meanCer: round(scores.reduce((a, b) => a + b, 0) / scores.length),
          medianCer: round(sorted[Math.floor(sorted.length / 2)]!),
          worstCer: round(sorted[sorted.length - 1]!),
          pagesPerSecond: round(scores.length / seconds),
        };
        rows.push(row);
        opts.log(
          `${lang.padEnd(8)} ${variant.padEnd(6)} font "${font}": ${row.pages} pages, CER mean ${pct(row.meanCer)}, median ${pct(row.medianCer)}, worst ${pct(row.worstCer)}; ${row.pagesPerSecond} pages/s`,
        );
      }
    }
  } finally {
    await closeOcr();
  }
  return rows;
}

const round = (n: number) => Math.round(n * 10000) / 10000;
const pct = (n: number) => `${(n * 100).toFixed(2)}%`;
