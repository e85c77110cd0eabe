import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { documentId, validateCollection } from '../../src/domain/ids.ts';
import { ConfigError, InputError } from '../../src/errors.ts';

const load = (env: Record<string, string>) => loadConfig(env, { cwd: '/tmp/nowhere', dotenv: false });

describe('configuration', () => {
  it('manages a local database unless NEO4J_URI points elsewhere', () => {
    expect(load({}).neo4j).toMatchObject({ uri: 'bolt://127.0.0.1:7687', managed: true });
    expect(load({ NEO4J_URI: 'bolt://localhost:7999' }).localDb.boltPort).toBe(7999);
    expect(load({ NEO4J_URI: 'neo4j+s://abcd.databases.neo4j.io' }).neo4j.managed).toBe(false);
    expect(load({ NEO4J_URI: 'bolt://127.0.0.1:7687', KGRAG_LOCAL_DB: 'false' }).neo4j.managed).toBe(false);
  });
  it('rejects invalid values with a message naming the variable', () => {
    expect(() => load({ KGRAG_CHUNK_TOKENS: 'many' })).toThrow(ConfigError);
    expect(() => load({ KGRAG_CHUNK_TOKENS: 'many' })).toThrow(/KGRAG_CHUNK_TOKENS/);
    expect(() => load({ NEO4J_URI: 'not a uri' })).toThrow(/NEO4J_URI/);
    expect(() => load({ KGRAG_CHUNK_TOKENS: '64', KGRAG_CHUNK_OVERLAP: '40' })).toThrow(/OVERLAP/);
  });
  it('treats empty variables as unset and reads sizes', () => {
    const c = load({ NEO4J_URI: '', KGRAG_MAX_FILE_MB: '2' });
    expect(c.neo4j.managed).toBe(true);
    expect(c.ingest.maxFileBytes).toBe(2 * 1024 * 1024);
  });
});

describe('embedding model choice', () => {
  it('takes every model setting from one row of the model table', () => {
    expect(load({}).embedding).toMatchObject({ model: 'minilm', modelId: 'Xenova/all-MiniLM-L6-v2', modelDir: undefined });
    expect(load({}).chunking.maxTokens).toBe(256);
    const e5 = load({ KGRAG_EMBEDDING_MODEL: 'e5' });
    expect(e5.embedding).toMatchObject({ model: 'e5', modelId: 'Xenova/multilingual-e5-small' });
    expect(e5.chunking.maxTokens).toBe(512);
    expect(load({ KGRAG_EMBEDDING_MODEL: 'e5', KGRAG_CHUNK_TOKENS: '300' }).chunking.maxTokens).toBe(300);
  });

  it('refuses a model it has no settings for, naming the choices', () => {
    expect(() => load({ KGRAG_EMBEDDING_MODEL: 'bge-m3' })).toThrow(/KGRAG_EMBEDDING_MODEL.*minilm.*e5/s);
  });
});

describe('ids and collection names', () => {
  it('derives stable, collection-scoped document ids', () => {
    expect(documentId('a', '/x.md')).toBe(documentId('a', '/x.md'));
    expect(documentId('a', '/x.md')).not.toBe(documentId('b', '/x.md'));
  });
  it('rejects collection names that could smuggle anything', () => {
    expect(validateCollection('team-1.docs_v2')).toBe('team-1.docs_v2');
    for (const bad of ['', '-x', "a' OR 1=1", 'a b', 'x'.repeat(65), 'ä']) expect(() => validateCollection(bad)).toThrow(InputError);
  });
});

describe('local LLM (llama-cpp)', () => {
  it('runs a GGUF file in process when KGRAG_LLM_MODEL_PATH is set, one call at a time, CPU only', () => {
    const llm = load({ KGRAG_LLM_MODEL_PATH: 'models/Tiny-Chat.Q4_1.gguf' }).llm;
    expect(llm).toMatchObject({ provider: 'llama-cpp', model: 'Tiny-Chat.Q4_1', concurrency: 1 });
    expect(llm?.llamaCpp).toMatchObject({ modelPath: '/tmp/nowhere/models/Tiny-Chat.Q4_1.gguf', gpu: false, maxTokens: 1024 });
    // Threads: llama.cpp's count of the machine's math cores, unless set.
    expect(llm?.llamaCpp?.threads).toBeUndefined();
    const tuned = load({ KGRAG_LLM_PROVIDER: 'llama-cpp', KGRAG_LLM_MODEL_PATH: '/m.gguf', KGRAG_LLM_THREADS: '3', KGRAG_LLM_CONCURRENCY: '2', KGRAG_LLM_GPU: 'vulkan' }).llm;
    expect(tuned).toMatchObject({ concurrency: 2, llamaCpp: { threads: 3, gpu: 'vulkan' } });
  });
  it('says what is missing or misplaced', () => {
    expect(() => load({ KGRAG_LLM_PROVIDER: 'llama-cpp' })).toThrow(/KGRAG_LLM_MODEL_PATH/);
    expect(() => load({ KGRAG_LLM_PROVIDER: 'ollama', KGRAG_LLM_MODEL: 'x', KGRAG_LLM_MODEL_PATH: '/m.gguf' })).toThrow(/llama-cpp/);
    // Servers keep their defaults.
    expect(load({ KGRAG_LLM_MODEL: 'gpt-x', OPENAI_API_KEY: 'k' }).llm).toMatchObject({ provider: 'openai', concurrency: 4, llamaCpp: undefined });
  });
  it('uses a model in process for written answers only, from a short context, unless told otherwise', () => {
    const local = load({ KGRAG_LLM_MODEL_PATH: '/m.gguf' }).llm!;
    expect([...local.tasks]).toEqual(['answer']);
    expect(local.contextTokens).toBeGreaterThan(0);
    expect(local.llamaCpp?.flashAttention).toBe(true);
    const served = load({ KGRAG_LLM_MODEL: 'gpt-x', OPENAI_API_KEY: 'k' }).llm!;
    expect([...served.tasks].sort()).toEqual(['answer', 'cypher', 'rerank', 'rewrite']);
    expect(served.contextTokens).toBeUndefined();
    const chosen = load({ KGRAG_LLM_MODEL_PATH: '/m.gguf', KGRAG_LLM_TASKS: 'answer, cypher', KGRAG_LLM_CONTEXT_TOKENS: '1000' }).llm!;
    expect([...chosen.tasks]).toEqual(['answer', 'cypher']);
    expect(chosen.contextTokens).toBe(1000);
    expect(() => load({ KGRAG_LLM_MODEL_PATH: '/m.gguf', KGRAG_LLM_TASKS: 'answer,summarise' })).toThrow(/summarise/);
  });
});
