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
import { llmAnswer, llmAnswerStream } from '../../src/answer/llm.ts';
import { loadConfig, type LlmConfig } from '../../src/config/index.ts';
import { createChatModel, type ChatModel } from '../../src/llm/chat.ts';
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

const env = {
  KGRAG_LLM_MODEL_PATH: path.join(root, '.kgrag/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf'),
  KGRAG_LLM_MAX_TOKENS: '200',
  ...process.env,
  KGRAG_LLM_PROVIDER: 'llama-cpp',
};
const config = loadConfig(env, { cwd: root }).llm as LlmConfig;
const settings = config.llamaCpp!;
const context = demoContext();

// Only to count tokens: the tokenizer of the same file.
const tokenizer = await (await getLlama({ gpu: false, build: 'never' })).loadModel({ modelPath: settings.modelPath });
const count = (text: string) => tokenizer.tokenize(text).length;

const chat = createChatModel(config, silentLogger());
const loadStarted = performance.now();
for await (const _ of chat.streamText([{ role: 'user', content: 'Hi' }])) break;
const loadMs = performance.now() - loadStarted;

console.log(`settings: threads ${settings.threads}, context ${settings.contextSize}, batch ${settings.batchSize}, flash attention ${settings.flashAttention}, max tokens ${settings.maxTokens}`);
console.log(`context: ${context.passages.length} passages; model load + first tiny reply ${Math.round(loadMs)} ms`);
// The streamed answer path (llmAnswerStream); the model's first piece is timed, since the path
// holds back text that may still become its not-found marker. Each run has a new random boundary
// in its prompt, so only the system prompt's text before it can be reused from the previous run.
for (let i = 0; i < runs; i++) {
  const load = loadavg()[0]!.toFixed(2);
  const started = performance.now();
  let first = 0;
  let text = '';
  let promptTokens = 0;
  const timed: ChatModel = {
    id: chat.id,
    invokeJson: (...args) => chat.invokeJson(...args),
    invokeText: (...args) => chat.invokeText(...args),
    async *streamText(messages, options) {
      promptTokens = count(messages.map((m) => m.content).join('\n'));
      for await (const piece of chat.streamText(messages, options)) {
        first ||= performance.now() - started;
        text += piece;
        yield piece;
      }
    },
  };
  const answer = await llmAnswerStream(timed, QUESTION, context, { onToken: () => undefined });
  const total = performance.now() - started;
  const tokens = count(text);
  const perSecond = tokens / ((total - first) / 1000);
  console.log(`stream ${i + 1}: prompt ~${promptTokens} tokens, first token ${Math.round(first)} ms, ${tokens} tokens in ${Math.round(total)} ms (${perSecond.toFixed(1)} tokens/s after the first), found ${answer.found}, load ${load}`);
}
const jsonStarted = performance.now();
const answer = await llmAnswer(chat, QUESTION, context);
console.log(`JSON answer (grammar-constrained, real answer path): ${Math.round(performance.now() - jsonStarted)} ms, found ${answer.found}, ${answer.citations.length} citations, load ${loadavg()[0]!.toFixed(2)}`);
process.exit(0);
