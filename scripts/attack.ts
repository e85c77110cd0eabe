/**
 * Bounded attack run against `kgrag serve` on loopback (issue 17).
 *   npx tsx scripts/attack.ts [--max-seconds 600] [--kill-docs 60]
 * Puts a secret document into collection B and ordinary ones into A, starts `kgrag serve` as a
 * child process on an ephemeral loopback port with keys on, then, with A's keys:
 *   1. leaks: reads B's items by id, search, GraphQL, entities and ask (B's secret must never show);
 *   2. writes: a reader's upload and Cypher-injection payloads (the graph's node count must not move);
 *   3. malformed requests (encodings, charsets, JSON, multipart, file names, cursors, aliased asks): no 5xx;
 *   4. hostile ingest (decompression bomb, 40,000 and 200,000 nested divs, one-line texts of 3 and
 *      20 MB) while /health is polled every 100 ms: the worst latency, and the job's per-file outcomes;
 *   5. kill -9 of the server during an ingest of `--kill-docs` documents, restart: every visible
 *      document is whole, and the job resumed or failed cleanly.
 * Prints a summary (leaks, writes, 5xx, worst /health latency, crashes); exit code 1 when any is bad.
 * Cleans up its collections, keys and temporary files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openKgrag } from '../src/app.ts';
import { KeyStore } from '../src/api/auth/keys.ts';
import { ingest } from '../src/ingest/pipeline.ts';
import { paragraph, wordDocument } from './attack/zip.ts';

const { values } = parseArgs({ options: { 'max-seconds': { type: 'string', default: '600' }, 'kill-docs': { type: 'string', default: '60' } } });
const deadline = Date.now() + Number(values['max-seconds']) * 1000;
const killDocs = Number(values['kill-docs']);
const log = (line: string) => process.stdout.write(line + '\n');
type Json = Record<string, any>;

const SECRET = '7781-QX';
const stamp = Date.now().toString(36);
const A = `attack-a-${stamp}`;
const B = `attack-b-${stamp}`;
const home = mkdtempSync(path.join(tmpdir(), 'kgrag-attack-'));
const keysFile = path.join(home, 'keys.json');
const jobsHome = path.join(home, 'kgrag-home');
const summary = { leaks: 0, leakChecks: 0, writes: 0, writeChecks: 0, serverErrors: 0, malformed: 0, worstHealthMs: 0, healthChecks: 0, healthOver1s: 0, crashes: 0, halfDocuments: 0, errorLogLines: 0 };

const app = await openKgrag({ schema: true, embedder: true });
let server: { child: ChildProcess; url: string } | undefined;
const recentLog: string[] = [];

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.resolve(import.meta.dirname, 'kgrag.mjs'), 'serve', '--port', '0', '--host', '127.0.0.1'], {
    env: {
      ...process.env,
      KGRAG_API_KEYS_FILE: keysFile,
      KGRAG_API_RATE_LIMIT: '100000',
      KGRAG_API_AUTH_FAILURES: '1000',
      KGRAG_API_MAX_UPLOAD_FILES: '100',
      KGRAG_MODEL_DIR: app.config.embedding.modelDir ?? '',
      // Jobs of this run live in the run's own folder; the database is the configured one.
      KGRAG_HOME: jobsHome,
      KGRAG_LOCAL_DB: 'false',
      NEO4J_URI: app.config.neo4j.uri,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The server's log: client mistakes belong at warn; error lines are counted.
  let partial = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      recentLog.push(line);
      if (recentLog.length > 5) recentLog.shift();
      const level = /"level":(\d+)/.exec(line)?.[1];
      if (level && Number(level) >= 50) {
        summary.errorLogLines++;
        if (summary.errorLogLines <= 5) log(`   server error log: ${line.slice(0, 300)}`);
      }
    }
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`kgrag serve exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      const found = /serving on (http:\/\/[^\s]+)/.exec(chunk.toString());
      if (found) resolve(found[1]!);
    });
  });
  if (!/^http:\/\/(127\.0\.0\.1|\[::1\]|localhost):/.test(url)) throw new Error(`refusing to attack a non-loopback server: ${url}`);
  return { child, url };
}

async function call(method: string, pathname: string, opts: { key?: string | null; json?: unknown; body?: BodyInit; headers?: Record<string, string>; timeoutMs?: number } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof opts.json === 'string' ? opts.json : JSON.stringify(opts.json);
  }
  // A request that reuses a keep-alive socket the server has just closed never reached it: sent once more.
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${server!.url}${pathname}`, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(opts.timeoutMs ?? 120_000) });
      const text = await res.text();
      let parsed: Json = { text };
      try {
        parsed = JSON.parse(text) as Json;
      } catch {
        // not JSON
      }
      return { status: res.status, text, body: parsed };
    } catch (err) {
      const cause = String((err as { cause?: unknown }).cause ?? '');
      if (attempt === 1 && /EPIPE|ECONNRESET|other side closed/.test(cause)) continue;
      return { status: 0, text: `${String(err)} (${cause})`, body: {} as Json };
    }
  }
}

const countNodes = async () => Number((await app.db.read('MATCH (n) RETURN count(n) AS n'))[0]!.n);

try {
  // ---- setup ------------------------------------------------------------------------------------
  const files = path.join(home, 'files');
  rmSync(files, { recursive: true, force: true });
  const { mkdirSync } = await import('node:fs');
  mkdirSync(files);
  writeFileSync(path.join(files, 'vault.md'), `# Zephyr vault\n\nThe Zephyr vault access code is ${SECRET}. Only Marta Kowalczyk knows the Zephyr vault code.\n`);
  writeFileSync(path.join(files, 'pumps.md'), '# Pump station\n\nThe pump station needs new valves before the summer. Jane Smith leads the work.\n');
  const deps = { db: app.db, embedder: app.embedder!, config: app.config, logger: app.logger };
  const secret = await ingest([path.join(files, 'vault.md')], deps, { collection: B });
  await ingest([path.join(files, 'pumps.md')], deps, { collection: A });
  const secretId = (secret.outcomes[0] as { documentId: string }).documentId;
  const store = new KeyStore(app.db);
  const readerA = (await store.create({ name: 'reader A', role: 'reader', collections: [A] })).key;
  const editorA = (await store.create({ name: 'editor A', role: 'editor', collections: [A] })).key;
  // Built before the server starts: the client's own allocation pauses must not count as server latency.
  const hostile = new FormData();
  hostile.append('files', new Blob([new Uint8Array(wordDocument(paragraph('Never read.'), { padding: 400 * 1024 * 1024 }))]), 'bomb.docx');
  hostile.append('files', new Blob([`<html><body>${'<div>'.repeat(40_000)}deep${'</div>'.repeat(40_000)}</body></html>`]), 'deep-40k.html');
  hostile.append('files', new Blob([`<html><body>${'<div>'.repeat(200_000)}deep${'</div>'.repeat(200_000)}</body></html>`]), 'deep-200k.html');
  hostile.append('files', new Blob(['x'.repeat(3 * 1024 * 1024)]), 'oneline-3mb.txt');
  hostile.append('files', new Blob(['y'.repeat(20 * 1024 * 1024)]), 'oneline-20mb.txt');
  hostile.append('files', new Blob(['# Good file\n\nThe good file of the batch is ingested.\n']), 'good.md');
  server = await startServer();
  log(`server ${server.url}; collections ${A} (attacker) and ${B} (secret)`);

  // ---- 1. leaks -----------------------------------------------------------------------------------
  const leakProbes: Array<[string, string, unknown?]> = [
    ['GET', `/v1/documents/${secretId}`],
    ['GET', `/v1/documents?collection=${B}`],
    ['GET', '/v1/documents?limit=1000'],
    ['GET', '/v1/entities?q=Zephyr'],
    ['GET', '/v1/entities?q=Marta'],
    ['GET', `/v1/schema?collection=${B}`],
    ['GET', '/v1/stats'],
    ['GET', '/v1/collections'],
    ...(['vector', 'fulltext', 'hybrid'] as const).map((mode): [string, string, unknown] => ['POST', '/v1/search', { text: 'Zephyr vault access code', mode, k: 100 }]),
    ['POST', '/v1/search', { text: 'Zephyr vault access code', collections: [B] }],
    ['POST', '/v1/ask', { question: 'What is the Zephyr vault access code?' }],
    ['POST', '/v1/ask', { question: 'Who knows the Zephyr vault code?', collections: [B] }],
    ['POST', '/graphql', { query: '{ documents(first: 1000) { nodes { id title } } }' }],
    ['POST', '/graphql', { query: `{ document(id: "${secretId}") { id title } }` }],
    ['POST', '/graphql', { query: '{ search(text: "Zephyr vault code", k: 100) { text collection } }' }],
    ['POST', '/graphql', { query: '{ ask(question: "What is the Zephyr vault access code?") { answer } }' }],
    ['POST', '/graphql', { query: `{ graphSchema(collections: ["${B}"]) }` }],
  ];
  for (const [method, pathname, json] of leakProbes) {
    const res = await call(method, pathname, { key: readerA, ...(json !== undefined ? { json } : {}) });
    summary.leakChecks++;
    // The id the attacker sent may be echoed back ("No document <id>"); anything else of B's is a leak.
    const echoed = pathname.includes(secretId) || JSON.stringify(json ?? '').includes(secretId);
    if (res.text.includes(SECRET) || (!echoed && res.text.includes(secretId)) || (echoed && res.status !== 404 && res.status !== 200)) {
      summary.leaks++;
      log(`  LEAK ${method} ${pathname}: ${res.text.slice(0, 200)}`);
    }
    if (res.status >= 500) summary.serverErrors++;
  }
  log(`1. leaks: ${summary.leaks} in ${summary.leakChecks} attempts`);

  // ---- 2. writes ----------------------------------------------------------------------------------
  const before = await countNodes();
  const payloads = [
    "x') MATCH (n) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n RETURN 1 //',
    '` MATCH (n) SET n.pwned = true //',
    "CREATE (:Pwned {at: 1})",
    "\\u0027 OR 1=1 CALL apoc.periodic.iterate('MATCH (n) RETURN n','DETACH DELETE n',{}) //",
  ];
  for (const p of payloads) {
    for (const [method, pathname, json] of [
      ['POST', '/v1/search', { text: p, mode: 'fulltext' }],
      ['GET', `/v1/entities?q=${encodeURIComponent(p)}&type=${encodeURIComponent(p)}`, undefined],
      ['GET', `/v1/documents/${encodeURIComponent(p)}`, undefined],
      ['POST', '/v1/ask', { question: `How many documents are there? ${p}` }],
      ['POST', '/graphql', { query: 'query($q: String!) { entities(filter: { q: $q }) { nodes { id } } }', variables: { q: p } }],
    ] as Array<[string, string, unknown]>) {
      const res = await call(method, pathname, { key: readerA, ...(json !== undefined ? { json } : {}) });
      summary.writeChecks++;
      if (res.status >= 500) summary.serverErrors++;
    }
  }
  const form = new FormData();
  form.append('files', new Blob(['# Reader upload\n\nShould not be written.\n']), 'reader.md');
  const readerUpload = await call('POST', `/v1/documents?collection=${A}`, { key: readerA, body: form });
  summary.writeChecks++;
  if (readerUpload.status < 400) summary.writes++;
  const mutation = await call('POST', '/graphql', { key: readerA, json: { query: `mutation { deleteDocument(id: "${secretId}") { deleted } }` } });
  summary.writeChecks++;
  if (mutation.text.includes('"deleted":true')) summary.writes++;
  const after = await countNodes();
  if (after !== before) summary.writes += Math.abs(after - before);
  log(`2. writes: ${summary.writes} in ${summary.writeChecks} attempts (nodes ${before} -> ${after})`);

  // ---- 3. malformed requests ------------------------------------------------------------------------
  const search = JSON.stringify({ text: 'valves', mode: 'fulltext' });
  const multipart = (name: string) => {
    const f = new FormData();
    f.append('files', new Blob(['# Hi\n\nText.\n']), name);
    return f;
  };
  const aliased = Array.from({ length: 15 }, (_, i) => `a${i}: ask(question: "What needs new valves?") { answer }`).join(' ');
  const malformed: Array<[string, string, Parameters<typeof call>[2]]> = [
    ['gzip header, plain body (REST)', '/v1/search', { json: search, headers: { 'content-encoding': 'gzip' } }],
    ['deflate header, plain body (REST)', '/v1/search', { json: search, headers: { 'content-encoding': 'deflate' } }],
    ['gzip header, plain body (GraphQL)', '/graphql', { json: { query: '{ collections }' }, headers: { 'content-encoding': 'gzip' } }],
    ['deflate header, plain body (GraphQL)', '/graphql', { json: { query: '{ collections }' }, headers: { 'content-encoding': 'deflate' } }],
    ['unknown encoding', '/v1/search', { json: search, headers: { 'content-encoding': 'br2' } }],
    ['unsupported charset', '/v1/search', { json: search, headers: { 'content-type': 'application/json; charset=ebcdic' } }],
    ['truncated JSON', '/v1/search', { json: '{"text": "valves",' }],
    ['JSON array body', '/v1/search', { json: '[1,2,3]' }],
    ['deeply nested JSON', '/v1/search', { json: '['.repeat(50_000) + ']'.repeat(50_000) }],
    ['NUL in upload name', `/v1/documents?collection=${A}`, { body: multipart('evil\u0000.md') }],
    ['newline in upload name', `/v1/documents?collection=${A}`, { body: multipart('evil\n.md') }],
    ['path steps in upload name', `/v1/documents?collection=${A}`, { body: multipart('../../../../etc/passwd') }],
    ['unterminated multipart', `/v1/documents?collection=${A}`, { body: '--XYZ\r\nContent-Disposition: form-data; name="files"; filename="a.md"\r\n\r\nno end', headers: { 'content-type': 'multipart/form-data; boundary=XYZ' } }],
    ['multipart without boundary', `/v1/documents?collection=${A}`, { body: 'hello', headers: { 'content-type': 'multipart/form-data' } }],
    ['forged cursor 1e300', '/graphql', { json: { query: `{ documents(after: "${Buffer.from('1e300').toString('base64url')}") { nodes { id } } }` } }],
    ['forged cursor -1', '/graphql', { json: { query: `{ documents(after: "${Buffer.from('-1').toString('base64url')}") { nodes { id } } }` } }],
    ['huge REST offset', '/v1/documents?offset=1e300', {}],
    ['15 aliased asks', '/graphql', { json: { query: `{ ${aliased} }` } }],
    ['GraphQL syntax error', '/graphql', { json: { query: '{ documents(' } }],
    ['huge k', '/v1/search', { json: { text: 'valves', k: 1e300 } }],
    ['bad id', '/v1/entities/%00%00', {}],
  ];
  for (const [label, pathname, opts] of malformed) {
    const method = pathname.startsWith('/v1/entities/') || pathname.startsWith('/v1/documents?offset') ? 'GET' : 'POST';
    const res = await call(method, pathname, { key: editorA, ...opts });
    summary.malformed++;
    const code = res.body.error?.code ?? res.body.errors?.[0]?.extensions?.code ?? '';
    if (res.status >= 500 || res.status === 0) summary.serverErrors++;
    log(`   ${String(res.status).padStart(3)} ${String(code).padEnd(22)} ${label}`);
  }
  log(`3. malformed requests: ${summary.serverErrors} 5xx (or no answer) in ${summary.malformed}`);

  // ---- 4. hostile ingest while /health is polled ------------------------------------------------------
  const submitted = await call('POST', `/v1/documents?collection=${A}`, { key: editorA, body: hostile });
  const jobId = submitted.body.id as string | undefined;
  if (!jobId) log(`   upload refused: ${submitted.status} ${submitted.text.slice(0, 300)}\n   server log: ${recentLog.join('\n   ').slice(0, 1500)}`);
  let jobDone = false;
  const poll = (async () => {
    while (!jobDone && Date.now() < deadline) {
      const t = performance.now();
      const res = await call('GET', '/health', { timeoutMs: 60_000 });
      const ms = performance.now() - t;
      summary.healthChecks++;
      summary.worstHealthMs = Math.max(summary.worstHealthMs, ms);
      if (ms > 1000 || res.status !== 200) summary.healthOver1s++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  let job: Json = {};
  while (jobId && Date.now() < deadline) {
    job = (await call('GET', `/v1/jobs/${jobId}`, { key: editorA })).body;
    if (job.status === 'succeeded' || job.status === 'failed' || job.status === undefined) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  jobDone = true;
  await poll;
  log(`4. hostile ingest: job ${job.status ?? submitted.status}; /health worst ${Math.round(summary.worstHealthMs)} ms over ${summary.healthChecks} checks, ${summary.healthOver1s} over 1 s`);
  for (const o of (job.result?.outcomes ?? []) as Json[]) log(`   ${String(o.status).padEnd(9)} ${String(o.code ?? '').padEnd(16)} ${o.source}${o.chunks ? ` (${o.chunks} chunks)` : ''}`);
  if (server.child.exitCode !== null) summary.crashes++;

  // ---- 5. kill -9 during an ingest, restart ---------------------------------------------------------------
  const batch = new FormData();
  for (let i = 0; i < killDocs; i++) {
    batch.append('files', new Blob([`# Report ${i}\n\n${`Paragraph ${i} of the report on pump station ${i}, with valves and sensors. `.repeat(40)}\n`]), `report-${i}.md`);
  }
  const killed = await call('POST', `/v1/documents?collection=${A}`, { key: editorA, body: batch });
  const killedJob = killed.body.id as string | undefined;
  if (!killedJob) log(`   upload refused: ${killed.status} ${killed.text.slice(0, 300)}`);
  // Kill once a few documents are in.
  while (killedJob && Date.now() < deadline) {
    const j = (await call('GET', `/v1/jobs/${killedJob}`, { key: editorA })).body;
    // After the first group is written and before the last: the kill lands between transactions or inside one.
    if ((j.progress?.documents ?? 0) > 0 || j.status === 'succeeded') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  server.child.kill('SIGKILL');
  await new Promise((r) => server!.child.once('exit', r));
  const visibleAtKill = (await app.db.read('MATCH (d:Document {collection: $c}) WHERE d.title STARTS WITH "Report" RETURN count(d) AS n', { c: A }))[0]!.n;
  server = await startServer();
  let resumed: Json = {};
  while (killedJob && Date.now() < deadline) {
    resumed = (await call('GET', `/v1/jobs/${killedJob}`, { key: editorA })).body;
    if (resumed.status === 'succeeded' || resumed.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const docs = await app.db.read(
    `MATCH (d:Document {collection: $c}) WHERE d.title STARTS WITH "Report"
     OPTIONAL MATCH (ch:Chunk)-[:PART_OF]->(d) RETURN d.title AS title, d.chunkCount AS declared, count(ch) AS chunks`,
    { c: A },
  );
  summary.halfDocuments = docs.filter((d) => d.declared !== d.chunks).length;
  log(`5. kill -9 mid-ingest: ${visibleAtKill} of ${killDocs} documents visible at the kill; after restart the job is ${resumed.status} (attempts ${resumed.attempts}), ${docs.length} documents, ${summary.halfDocuments} half-written`);
  if (server.child.exitCode !== null) summary.crashes++;
} finally {
  server?.child.kill('SIGTERM');
  await app.db.write('MATCH (n) WHERE n.collection IN $c DETACH DELETE n', { c: [A, B] });
  await app.close();
  rmSync(home, { recursive: true, force: true });
}

log(
  `\nSummary: ${summary.leaks} leaks (${summary.leakChecks} attempts), ${summary.writes} writes (${summary.writeChecks} attempts), ` +
    `${summary.serverErrors} 5xx, worst /health ${Math.round(summary.worstHealthMs)} ms (${summary.healthOver1s} over 1 s), ${summary.crashes} crashes, ${summary.halfDocuments} half-written documents, ${summary.errorLogLines} error-level log lines`,
);
process.exitCode = summary.leaks || summary.writes || summary.serverErrors || summary.healthOver1s || summary.crashes || summary.halfDocuments ? 1 : 0;
