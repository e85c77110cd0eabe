/**
 * The local LLM (KGRAG_LLM_PROVIDER=llama-cpp) answering the demo's document questions through the
 * real ask path (parse, hybrid retrieval, expansion, the streamed written answer): time to the
 * first streamed token, the prompt's size, tokens per second, and whether the gold value is in it.
 *
 *   bash scripts/load-demo.sh                       # once: the demo collection
 *   npx tsx scripts/bench/llm-local.ts [questions] [--http]  # default: the 20 document questions of test/gold
 *
 * With --http the questions go to POST /v1/ask/stream of the API served in this process (no
 * authentication, loopback): the first token is the first `token` event the client reads.
 *
 * Settings come from KGRAG_LLM_* (.env included); the model defaults to SmolLM2-135M from
 * `npm run setup -- smollm2`. The model is loaded and warmed first, as `kgrag serve` does, so the
 * times are those of a running server. BENCH_SHOW_PROMPT=1 prints each prompt's user message. Bounded: replies are capped at KGRAG_LLM_MAX_TOKENS (default here 120).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createApi } from '../../src/api/server.ts';
import { askKgrag, openKgrag } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { warmAnswerModel } from '../../src/answer/llm.ts';
import type { ChatModel } from '../../src/llm/chat.ts';

const root = path.resolve(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const http = args.includes('--http');
const limit = Number(args.find((a) => /^\d+$/.test(a)) ?? 20);

interface Gold {
  id: string;
  question: string;
  evidence: string;
  answer: { value: unknown };
}
const questions = readFileSync(path.join(root, 'test/gold/questions.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Gold)
  .filter((g) => g.evidence === 'documents')
  .slice(0, limit);

Object.assign(process.env, {
  KGRAG_LLM_MODEL_PATH: path.join(root, '.kgrag/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf'),
  KGRAG_LLM_MAX_TOKENS: '120',
  ...process.env,
  KGRAG_LLM_PROVIDER: 'llama-cpp',
});
const app = await openKgrag({ config: loadConfig(process.env, { cwd: root }), embedder: 'lazy' });
const chat = app.chat!;
const settings = app.config.llm!.llamaCpp!;
const budget = chat.contextBudget;

// What the answer path sends, counted with the model's own tokenizer.
let promptTokens = 0;
let started = 0;
let first = 0;
const timedChat: ChatModel = Object.assign(Object.create(Object.getPrototypeOf(chat) as object) as ChatModel, chat, {
  async *streamText(...args: Parameters<ChatModel['streamText']>) {
    // The system prompt is the same for every answer and stays evaluated: the user message is what the model reads.
    promptTokens = budget ? await budget.count(args[0].filter((m) => m.role !== 'system').map((m) => m.content).join('\n')) : 0;
    if (process.env.BENCH_SHOW_PROMPT) console.log(args[0].at(-1)?.content);
    for await (const piece of chat.streamText(...args)) {
      // Over HTTP the client's first token event is timed instead.
      if (!http) first ||= performance.now() - started;
      yield piece;
    }
  },
});
(app as { chat: ChatModel }).chat = timedChat;

const warmStarted = performance.now();
await warmAnswerModel(chat);
// The query model too: a running server has it loaded after its first search.
await askKgrag(app, 'What award did Acme Analytics win?', { collections: ['demo'] });
console.log(
  `settings: threads ${settings.threads ?? "all math cores"}, batch ${settings.batchSize}, flash attention ${settings.flashAttention}, context budget ${budget?.tokens ?? 'none'} tokens, max tokens ${settings.maxTokens}; warm-up ${Math.round(performance.now() - warmStarted)} ms`,
);

const api = http ? await createApi(app, { config: { ...app.config.api, auth: 'disabled' }, runJobs: false }) : undefined;
const base = api ? (await api.listen(0, '127.0.0.1')).url : '';

/** The question over SSE: resolves at the done event; `first` is set at the first token event. */
async function askOverHttp(question: string): Promise<{ answer: string; found: boolean; strategy: string }> {
  const response = await fetch(`${base}/v1/ask/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ question, collections: ['demo'] }),
  });
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    if (!first && text.includes('event: token')) first = performance.now() - started;
  }
  const result = text.split('\n\n').filter((e) => e.startsWith('event: done')).map((e) => JSON.parse(e.slice(e.indexOf('data: ') + 6)) as { answer: string; found: boolean; plan: { strategy: string } })[0];
  if (!result) throw new Error(`no done event: ${text.slice(0, 300)}`);
  return { answer: result.answer, found: result.found, strategy: result.plan.strategy };
}

const firsts: number[] = [];
let right = 0;
/** In process: the steps before the answer, in ms. */
let before = '';
for (const g of questions) {
  const load = loadavg()[0]!.toFixed(2);
  started = performance.now();
  first = 0;
  promptTokens = 0;
  const result = http
    ? await askOverHttp(g.question)
    : await askKgrag(app, g.question, { collections: ['demo'], onToken: () => undefined }).then((r) => {
        before = Object.entries(r.timings).filter(([k]) => k !== 'answer' && k !== 'total').map(([k, v]) => `${k} ${Math.round(v)}`).join(', ');
        return { answer: r.answer, found: r.found, strategy: r.plan.strategy };
      });
  const total = performance.now() - started;
  const hit = String(result.answer).toLowerCase().includes(String(g.answer.value).toLowerCase());
  if (hit) right++;
  if (first) firsts.push(first);
  console.log(
    `${g.id}: ${result.strategy}, user message ${promptTokens} tokens, first token ${first ? Math.round(first) : '—'} ms, total ${Math.round(total)} ms, found ${result.found}, gold value in answer ${hit}${before ? ` (before the answer: ${before})` : ''}, load ${load}`,
  );
}
firsts.sort((a, b) => a - b);
const pick = (q: number) => Math.round(firsts[Math.min(firsts.length - 1, Math.floor(q * firsts.length))] ?? NaN);
console.log(`first token${http ? ' (HTTP, SSE)' : ''} over ${firsts.length} streamed answers: median ${pick(0.5)} ms, p90 ${pick(0.9)} ms, max ${pick(1)} ms; gold value in ${right}/${questions.length} answers; load ${loadavg()[0]!.toFixed(2)}`);
await api?.close();
await app.close();
process.exit(0);
