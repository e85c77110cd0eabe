/**
 * The local LLM (KGRAG_LLM_PROVIDER=llama-cpp) on a demo-sized answer prompt: time to the first
 * streamed token, tokens per second, and a whole JSON answer through the real answer path.
 *
 *   npx tsx scripts/bench/llm-local.ts [runs]     # default 3 runs; settings from KGRAG_LLM_* (.env included)
 *
 * The prompt is the one src/answer/llm.ts writes, over 8 passages (the retrieval default) of about
 * 256 tokens cut from the demo's plain-text documents (examples/docs), as a demo question sees them.
 * No database is needed. Bounded: replies are capped at KGRAG_LLM_MAX_TOKENS (default here 200).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { getLlama } from 'node-llama-cpp';
import { llmAnswer } from '../../src/answer/llm.ts';
import { loadConfig, type LlmConfig } from '../../src/config/index.ts';
import { createChatModel, type ChatMessage, type ChatModel } from '../../src/llm/chat.ts';
import { silentLogger } from '../../src/logging.ts';
import type { ContextPassage, RetrievedContext } from '../../src/planner/types.ts';

const root = path.resolve(import.meta.dirname, '../..');
const runs = Number(process.argv[2] ?? 3);
const QUESTION = 'Who leads the ingestion service and what did the Q3 engineering memo decide?';
const PASSAGES = 8;
const PASSAGE_CHARS = 1000; // about 256 word pieces, the default chunk size

function demoContext(): RetrievedContext {
  const files = ['q3-engineering-memo.md', 'team-directory.md', 'umbrella-escalation-notes.txt', 'onboarding-guide.txt'];
  const passages: ContextPassage[] = [];
  for (const file of files) {
    const text = readFileSync(path.join(root, 'examples/docs', file), 'utf8');
    let current = '';
    const flush = () => {
      if (current.trim()) passages.push({ chunkId: `${file}#${passages.length}`, documentId: file, title: file, source: file, page: null, text: current.trim(), score: 1, via: 'search' });
      current = '';
    };
    for (const paragraph of text.split(/\n\s*\n/)) {
      if (current.length + paragraph.length > PASSAGE_CHARS) flush();
      current += `${paragraph}\n\n`;
    }
    flush();
  }
  return { passages: passages.slice(0, PASSAGES), facts: [], entities: [], cypher: [] };
}

/** The messages llmAnswer sends, caught before they reach a model. */
async function answerMessages(context: RetrievedContext): Promise<ChatMessage[]> {
  let caught: ChatMessage[] = [];
  const capture: ChatModel = {
    id: 'capture',
    invokeJson: async (messages) => {
      caught = messages;
      return { found: false, answer: '', citations: [] };
    },
    invokeText: async () => '',
    streamText: async function* () {},
  };
  await llmAnswer(capture, QUESTION, context);
  return caught;
}

const env = {
  KGRAG_LLM_MODEL_PATH: path.join(root, '.kgrag/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf'),
  KGRAG_LLM_MAX_TOKENS: '200',
  ...process.env,
  KGRAG_LLM_PROVIDER: 'llama-cpp',
};
const config = loadConfig(env, { cwd: root }).llm as LlmConfig;
const settings = config.llamaCpp!;
const context = demoContext();
const messages = await answerMessages(context);

// Only to count tokens: the tokenizer of the same file.
const tokenizer = await (await getLlama({ gpu: false, build: 'never' })).loadModel({ modelPath: settings.modelPath });
const count = (text: string) => tokenizer.tokenize(text).length;
const promptTokens = count(messages.map((m) => m.content).join('\n'));

const chat = createChatModel(config, silentLogger());
const loadStarted = performance.now();
for await (const _ of chat.streamText([{ role: 'user', content: 'Hi' }])) break;
const loadMs = performance.now() - loadStarted;

console.log(`settings: threads ${settings.threads}, context ${settings.contextSize}, batch ${settings.batchSize}, flash attention ${settings.flashAttention}, max tokens ${settings.maxTokens}`);
console.log(`prompt: ${context.passages.length} passages, ~${promptTokens} tokens; model load + first tiny reply ${Math.round(loadMs)} ms`);
for (let i = 0; i < runs; i++) {
  const load = loadavg()[0]!.toFixed(2);
  const started = performance.now();
  let first = 0;
  let text = '';
  for await (const piece of chat.streamText(messages)) {
    first ||= performance.now() - started;
    text += piece;
  }
  const total = performance.now() - started;
  const tokens = count(text);
  const perSecond = tokens / ((total - first) / 1000);
  console.log(`stream ${i + 1}: first token ${Math.round(first)} ms, ${tokens} tokens in ${Math.round(total)} ms (${perSecond.toFixed(1)} tokens/s after the first), load ${load}`);
}
const jsonStarted = performance.now();
const answer = await llmAnswer(chat, QUESTION, context);
console.log(`JSON answer (grammar-constrained, real answer path): ${Math.round(performance.now() - jsonStarted)} ms, found ${answer.found}, ${answer.citations.length} citations, load ${loadavg()[0]!.toFixed(2)}`);
process.exit(0);
