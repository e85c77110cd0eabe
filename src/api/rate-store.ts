import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { cypher } from '../graph/cypher.ts';
import { int, type GraphExecutor } from '../graph/executor.ts';
import { applySystemSchema } from '../graph/schema.ts';
import type { Logger } from '../logging.ts';

/**
 * Fixed-window rate-limit counters in the database (`_KgragCounter` nodes, collection `@system`),
 * so that every server on one Neo4j counts against the same limit: a client cannot multiply its
 * allowance by spreading requests over servers. A counter is one node per key and window, created
 * on first use (unique id, so concurrent first hits make one node) and deleted after its window.
 */
export class GraphRateStore implements Store {
  /** express-rate-limit: hits counted here are seen by other processes. */
  readonly localKeys = false;
  private windowMs = 60_000;
  private lastSweep = 0;

  constructor(
    private readonly db: GraphExecutor,
    /** Separates the limits that share the database (work units, failed authentications). */
    readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    return this.add(key, 1);
  }

  async decrement(key: string): Promise<void> {
    await this.add(key, -1);
  }

  async resetKey(key: string): Promise<void> {
    await this.db.write(cypher('system/counter-reset'), { id: this.id(key, this.windowStart()) });
  }

  /** Hits in the current window, without counting one. */
  async hits(key: string): Promise<number> {
    const [row] = await this.db.read(cypher('system/counter-get'), { id: this.id(key, this.windowStart()) });
    return Number(row?.hits ?? 0);
  }

  /** Adds `by` hits in the current window; returns the window's total. */
  async add(key: string, by: number): Promise<ClientRateLimitInfo> {
    await applySystemSchema(this.db);
    const start = this.windowStart();
    const resetTime = start + this.windowMs;
    const [row] = await this.db.write(cypher('system/counter-add'), { id: this.id(key, start), by: int(by), expiresAt: int(resetTime) });
    this.sweep(start);
    return { totalHits: Number(row?.hits ?? by), resetTime: new Date(resetTime) };
  }

  private windowStart(): number {
    return Math.floor(Date.now() / this.windowMs) * this.windowMs;
  }

  private id(key: string, start: number): string {
    return `${this.prefix}:${start}:${key}`;
  }

  /** Once per window and process: counters of ended windows go. */
  private sweep(start: number): void {
    if (this.lastSweep >= start) return;
    this.lastSweep = start;
    void this.db.write(cypher('system/counters-expire'), { now: int(start) }).catch((err: unknown) => {
      this.logger.debug({ err: (err as Error).message }, 'expired rate counters not swept');
    });
  }
}
