import { candidateMatters, type EntityLookup, type EntityWrite, type ExistingEntity, type LookupNeed } from './resolver.ts';

/**
 * The resolver's view of the graph for a group of documents resolved one after another in one
 * transaction, with the round trips of the whole group made up front: one exact look-up for every
 * cluster of every document, one fuzzy look-up for those without an exact hit. Each document must
 * still see the entities the earlier ones wrote, as it would with a look-up of its own after their
 * writes, so the entities each document plans are kept here (`applied`) and written only when
 * needed (`flush`):
 * - exact: the prefetched rows, plus entities created earlier in the group with that key;
 * - fuzzy: the prefetched candidates. An entity written earlier in the group that shares a word
 *   with the name could now be among them, or have changed: when one of those could decide the
 *   link (`candidateMatters`), or the candidates could now be more than the look-up returns, the
 *   name is looked up again, after the pending writes.
 * Anything not prefetched is looked up in the graph after the pending writes too. The links are
 * the ones the documents would get with one look-up each.
 */
export class GroupLookup implements EntityLookup {
  readonly graphNodes?: EntityLookup['graphNodes'];
  private readonly exact = new Map<string, ExistingEntity[]>();
  private readonly fuzzy = new Map<string, ExistingEntity[]>();
  /** Entities the graph returned, as read then. */
  private readonly seen = new Map<string, ExistingEntity>();
  /** Entities written (or to be written) by earlier documents of the group, as the graph will hold them. */
  private readonly written = new Map<string, ExistingEntity>();
  /** Of those, the ones the group creates, by exact key. */
  private readonly created = new Map<string, ExistingEntity[]>();
  /** Ids of `written` by type and by the words of their names and aliases. */
  private readonly words = new Map<string, Map<string, Set<string>>>();
  /** The names looked up fuzzily, with the aliases of every cluster so named. */
  private readonly names = new Map<string, Pick<LookupNeed, 'type' | 'name' | 'aliases'>>();
  private pending: EntityWrite[] = [];

  constructor(
    private readonly live: EntityLookup,
    private readonly write: (entities: EntityWrite[]) => Promise<void>,
    /** How many candidates the fuzzy look-up returns at most. */
    private readonly limit: number,
  ) {
    if (live.graphNodes) this.graphNodes = live.graphNodes.bind(live);
  }

  /** Looks up every cluster of the group's documents before any of them is resolved. */
  async prefetch(needs: readonly LookupNeed[]): Promise<void> {
    const items = unique(needs.flatMap((n) => n.keys.map((key) => ({ type: n.type, key }))), (i) => keyOf(i.type, i.key));
    for (const i of items) this.exact.set(keyOf(i.type, i.key), []);
    if (items.length) for (const e of this.saw(await this.live.byNormalizedNames(items))) this.exact.get(keyOf(e.type, e.normalizedName))?.push(e);
    const fuzzy = unique(
      needs.filter((n) => n.keys.every((k) => !this.exact.get(keyOf(n.type, k))!.length)),
      (n) => keyOf(n.type, n.name),
    );
    const found = fuzzy.length ? await this.live.candidates(fuzzy.map((n) => ({ type: n.type, name: n.name }))) : [];
    fuzzy.forEach((n, i) => this.fuzzy.set(keyOf(n.type, n.name), this.saw(found[i] ?? [])));
    for (const n of needs) {
      const key = keyOf(n.type, n.name);
      const known = this.names.get(key);
      this.names.set(key, { type: n.type, name: n.name, aliases: [...new Set([...(known?.aliases ?? []), ...n.aliases])] });
    }
  }

  async byNormalizedNames(items: Array<{ type: string; key: string }>): Promise<ExistingEntity[]> {
    const missing = items.filter((i) => !this.exact.has(keyOf(i.type, i.key)));
    const rows = items.flatMap((i) => [...(this.exact.get(keyOf(i.type, i.key)) ?? []), ...(this.created.get(keyOf(i.type, i.key)) ?? [])]);
    if (missing.length) {
      await this.flush();
      rows.push(...this.saw(await this.live.byNormalizedNames(missing)));
    }
    return unique(rows.map((e) => this.written.get(e.id) ?? e), (e) => e.id);
  }

  async candidates(items: Array<{ type: string; name: string }>): Promise<ExistingEntity[][]> {
    const out = items.map((i) => this.prefetched(i));
    const again = items.filter((_, i) => out[i] === undefined);
    if (again.length) {
      await this.flush();
      const found = (await this.live.candidates(again)).map((list) => this.saw(list));
      let next = 0;
      for (let i = 0; i < out.length; i++) out[i] ??= found[next++] ?? [];
    }
    return out as ExistingEntity[][];
  }

  /**
   * A document's planned entities, as `entities/upsert` will write them: a new one with its name
   * and aliases, an existing one with the aliases it did not have yet.
   */
  applied(entities: readonly EntityWrite[]): void {
    for (const e of entities) {
      const before = this.written.get(e.id) ?? this.seen.get(e.id);
      const now: ExistingEntity = before
        ? { ...before, aliases: [...before.aliases, ...e.aliases.filter((a) => !before.aliases.includes(a) && a !== before.name)] }
        : { id: e.id, type: e.type, name: e.name, normalizedName: e.normalizedName, aliases: e.aliases.filter((a) => a !== e.name), imported: false };
      if (!before) {
        const key = keyOf(e.type, e.normalizedName);
        this.created.set(key, [...(this.created.get(key) ?? []), now]);
      }
      this.written.set(e.id, now);
      const words = this.words.get(now.type) ?? new Map<string, Set<string>>();
      for (const text of [now.name, ...now.aliases]) for (const w of wordsOf(text)) words.set(w, (words.get(w) ?? new Set()).add(now.id));
      this.words.set(now.type, words);
    }
    this.pending.push(...entities);
  }

  /** Writes the entities planned so far. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const entities = this.pending;
    this.pending = [];
    await this.write(entities);
  }

  /** The prefetched candidates, when they still decide the link as a look-up now would; undefined otherwise. */
  private prefetched(item: { type: string; name: string }): ExistingEntity[] | undefined {
    const key = keyOf(item.type, item.name);
    const found = this.fuzzy.get(key);
    const need = this.names.get(key);
    if (!found || !need) return undefined;
    // Entities written in the group that the fulltext index could now match to the name.
    const words = this.words.get(item.type);
    const touched = new Set(wordsOf(item.name).flatMap((w) => [...(words?.get(w) ?? [])]));
    if (touched.size === 0) return found;
    const added = [...touched].filter((id) => !found.some((e) => e.id === id)).length;
    // More matches than the look-up returns: the best of them could now push a candidate out.
    if (found.length + added > this.limit) return undefined;
    return [...touched].some((id) => candidateMatters(need, this.written.get(id)!)) ? undefined : found;
  }

  private saw(rows: ExistingEntity[]): ExistingEntity[] {
    for (const e of rows) if (!this.written.has(e.id)) this.seen.set(e.id, e);
    return rows;
  }
}

function keyOf(type: string, key: string): string {
  return `${type}\u0000${key}`;
}

function unique<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((i) => [key(i), i] as const)).values()];
}

/** Scripts written with spaces between words: a run of their letters and digits is one word. */
const SPACED = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Armenian}\p{Script=Georgian}\p{N}\p{M}]/u;

/**
 * Words as the fulltext index could split a name, or coarser: every token the index's analyser
 * makes contains at least one of these, so two names that share no word here share no token there.
 * Letters of other scripts (Han, kana, Thai…) are one word each, as the analyser may split them.
 */
function wordsOf(text: string): string[] {
  const out: string[] = [];
  for (const run of text.normalize('NFKC').toLowerCase().split(/[^\p{L}\p{N}\p{M}]+/u)) {
    let word = '';
    for (const ch of run) {
      if (SPACED.test(ch)) {
        word += ch;
        continue;
      }
      if (word) out.push(word);
      word = '';
      out.push(ch);
    }
    if (word) out.push(word);
  }
  return out;
}
