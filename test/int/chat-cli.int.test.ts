import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { dropCollections, openTestApp, uniqueCollection } from '../helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../scripts/kgrag.mjs');

/** Runs the real `kgrag` command with `input` on stdin. */
function kgrag(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** `kgrag chat` reads questions line by line as one conversation; `kgrag ask --conversation` continues it. */
describe('kgrag chat', () => {
  let app: Kgrag;
  const collection = uniqueCollection('chat');

  beforeAll(async () => {
    app = await openTestApp();
    await app.db.write(
      `CREATE (boss:KgragEntity:Kgrag_Person {id: $c + ':b', collection: $c, type: 'Person', name: 'Ines Moreau', normalizedName: 'ines moreau', office: 'Lyon'})
       WITH boss
       UNWIND [['Karl Berg', 'Berlin'], ['Lena Vogel', 'Berlin'], ['Paul Roux', 'Paris']] AS p
       CREATE (:KgragEntity:Kgrag_Person {id: $c + ':' + p[0], collection: $c, type: 'Person', name: p[0], normalizedName: toLower(p[0]), office: p[1]})-[:REPORTS_TO]->(boss)`,
      { c: collection },
    );
    // Someone in Berlin who does not report to Ines Moreau: a follow-up must leave them out.
    await app.db.write(`CREATE (:KgragEntity:Kgrag_Person {id: $c + ':o', collection: $c, type: 'Person', name: 'Otto Klein', normalizedName: 'otto klein', office: 'Berlin'})`, { c: collection });
    app.catalogs.invalidate();
  });
  afterAll(async () => {
    await app.db.write('MATCH (c:_KgragConversation {owner: "local"}) WHERE $c IN c.collections OPTIONAL MATCH (t:_KgragTurn {conversationId: c.id}) DETACH DELETE c, t', { c: collection });
    await dropCollections(app, [collection]);
    await app.close();
  });

  it('answers follow-ups in one conversation, lists its history, and continues it with ask --conversation', async () => {
    const res = await kgrag(['chat', '--collection', collection], 'Who reports to Ines Moreau?\nWhich of them have office Berlin?\n/history\n/quit\n');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('Paul Roux');
    const followUp = res.stdout.slice(res.stdout.indexOf('(read as:'), res.stdout.indexOf('1. Who reports'));
    expect(followUp).toContain('Karl Berg');
    expect(followUp).toContain('Lena Vogel');
    expect(followUp).not.toContain('Otto Klein');
    expect(res.stdout).toMatch(/2\. Which of them have office Berlin\?/);
    const id = /Conversation (conv_[\w-]+)/.exec(res.stdout)![1]!;

    const next = await kgrag(['ask', 'Which of them have office Paris?', '--conversation', id, '--json']);
    // The previous answer (two people in Berlin) has nobody in Paris: the answer is empty, not Paul Roux.
    const result = JSON.parse(next.stdout);
    expect(result.conversationId).toBe(id);
    expect(result.rows).toEqual([]);
    expect(result.plan.steps.map((s: { detail: string }) => s.detail).join(' ')).toContain('the 2 people from the previous answer');

    const missing = await kgrag(['ask', 'Which of them?', '--conversation', 'conv_nope', '--json']);
    expect(missing.code).not.toBe(0);
    expect(missing.stdout + missing.stderr).toContain('NOT_FOUND');
  });
});
