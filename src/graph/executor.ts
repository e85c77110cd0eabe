import neo4j, {
  type Driver,
  type ManagedTransaction,
  type Plan,
  type QueryResult,
  type RecordShape,
  Neo4jError,
  isInt,
  isDate,
  isDateTime,
  isLocalDateTime,
  isLocalTime,
  isTime,
  isDuration,
  isNode,
  isRelationship,
} from 'neo4j-driver';
import type { KgragConfig } from '../config/index.ts';
import { GraphError } from '../errors.ts';
import type { Logger } from '../logging.ts';

/**
 * The only module that talks to neo4j-driver. Everything above it gets plain JS values back
 * (integers as numbers, temporals as ISO strings) and kgrag errors instead of driver errors.
 */
export type Params = Record<string, unknown>;
export type Row = Record<string, unknown>;

/** A unit of work inside one transaction: run any number of statements; commits on return. */
export interface TxRunner {
  run(query: string, params?: Params): Promise<Row[]>;
}

/** What `EXPLAIN` says about a statement, without running it. */
export interface QueryPlanInfo {
  /** r: read only, rw: read and write, w: write only, s: schema (index, constraint) changes. */
  queryType: 'r' | 'rw' | 'w' | 's';
  /** Every operator of the plan tree, as the server names them (`ProduceResults@neo4j`, `Create@neo4j`…). */
  operators: string[];
  /** Fully qualified names of the procedures the plan calls. */
  procedures: string[];
}

/** Integer parameter: the driver sends JS numbers as floats, which LIMIT and k reject. */
export const int = (n: number): unknown => neo4j.int(Math.trunc(n));

export class GraphExecutor {
  private closed = false;

  private constructor(
    private readonly driver: Driver,
    private readonly database: string,
    private readonly txTimeoutMs: number,
    private readonly logger: Logger,
    readonly uri: string,
    private readonly user: string,
  ) {}

  /** Connects and verifies that the database answers (with a message that says what to do if not). */
  static async connect(config: KgragConfig['neo4j'], logger: Logger): Promise<GraphExecutor> {
    const driver = neo4j.driver(config.uri, neo4j.auth.basic(config.username, config.password), {
      disableLosslessIntegers: false,
      // An unreachable database fails requests in seconds, not after the driver's 30 s defaults.
      connectionTimeout: 3_000,
      connectionAcquisitionTimeout: 5_000,
      maxTransactionRetryTime: 3_000,
      maxConnectionPoolSize: 50,
      userAgent: 'kgrag/0.1',
    });
    const executor = new GraphExecutor(driver, config.database, config.txTimeoutMs, logger, config.uri, config.username);
    try {
      await driver.verifyConnectivity({ database: config.database });
    } catch (err) {
      await driver.close();
      throw translateError(err, config.uri, config.managed);
    }
    return executor;
  }

  /** Runs a read-only statement with read routing and the transaction timeout. */
  async read(query: string, params: Params = {}, opts: { timeoutMs?: number } = {}): Promise<Row[]> {
    return this.readTx((tx) => tx.run(query, params), opts);
  }

  /**
   * Runs a read-only statement and also returns the server's bookmark of it: the database's last
   * committed transaction when the read began (sessions here carry no bookmarks in). Opaque, but
   * equal stamps mean no write, by anyone, in between: what a cache kept between processes checks.
   */
  async readStamped(query: string, params: Params = {}): Promise<{ rows: Row[]; stamp: string | undefined }> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      const result = await session.executeRead((tx) => tx.run(query, params), { timeout: this.txTimeoutMs, metadata: { app: 'kgrag' } });
      const bookmarks = session.lastBookmarks();
      return { rows: result.records.map((r) => toPlain(r.toObject()) as Row), stamp: bookmarks.length === 1 ? bookmarks[0] : undefined };
    } catch (err) {
      throw translateError(err, this.uri, false);
    } finally {
      await session.close();
    }
  }

  /** The database this executor reads: its address, name and user (never the password). */
  get identity(): { uri: string; database: string; user: string } {
    return { uri: this.uri, database: this.database, user: this.user };
  }

  /**
   * Plans `query` with `EXPLAIN` in a read transaction (nothing runs) and reports its query type,
   * operators and procedure calls: what the guard for generated Cypher checks before running it.
   */
  async explain(query: string, params: Params = {}, opts: { timeoutMs?: number } = {}): Promise<QueryPlanInfo> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      const summary = await session.executeRead(
        async (tx) => (await tx.run(`EXPLAIN ${query}`, params)).summary,
        { timeout: opts.timeoutMs ?? this.txTimeoutMs, metadata: { app: 'kgrag', explain: true } },
      );
      const operators: string[] = [];
      const procedures: string[] = [];
      const walk = (plan: Plan): void => {
        operators.push(plan.operatorType);
        const details = plan.arguments['Details'];
        if (plan.operatorType.includes('ProcedureCall') && typeof details === 'string') {
          const name = /^\s*([\p{L}\p{N}_.`]+)\s*\(/u.exec(details)?.[1];
          procedures.push(name ? name.replaceAll('`', '') : details);
        }
        plan.children.forEach(walk);
      };
      if (summary.plan) walk(summary.plan);
      return { queryType: planQueryType(summary.queryType), operators, procedures };
    } catch (err) {
      throw translateError(err, this.uri, false);
    } finally {
      await session.close();
    }
  }

  /** One read statement, no retries, given up after `timeoutMs`: for health checks. */
  async ping(query: string, timeoutMs: number): Promise<void> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        session.run(query, {}, { timeout: timeoutMs }),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new GraphError('DATABASE_UNAVAILABLE', `Neo4j at ${this.uri} did not answer within ${timeoutMs} ms.`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      throw translateError(err, this.uri, false);
    } finally {
      clearTimeout(timer);
      void session.close().catch(() => undefined);
    }
  }

  async write(query: string, params: Params = {}): Promise<Row[]> {
    return this.writeTx((tx) => tx.run(query, params));
  }

  async readTx<T>(work: (tx: TxRunner) => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
    return this.inSession('READ', work, opts.timeoutMs ?? this.txTimeoutMs);
  }

  /** Runs `work` in one write transaction: all its statements commit together or not at all. */
  async writeTx<T>(work: (tx: TxRunner) => Promise<T>, opts: { timeoutMs?: number } = {}): Promise<T> {
    // Writes of big documents legitimately take longer than interactive reads.
    return this.inSession('WRITE', work, opts.timeoutMs ?? Math.max(this.txTimeoutMs, 120_000));
  }

  /** Auto-commit statement, for schema operations that cannot run in an explicit transaction. */
  async runSchema(query: string, params: Params = {}): Promise<Row[]> {
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.WRITE });
    try {
      const result = await session.run(query, params);
      return result.records.map((r) => toPlain(r.toObject()) as Row);
    } catch (err) {
      throw translateError(err, this.uri, false);
    } finally {
      await session.close();
    }
  }

  /**
   * The driver, for @neo4j/graphql alone (the HTTP API's typed GraphQL access), which translates
   * GraphQL to Cypher and runs its own read sessions; nothing else may bypass this executor.
   */
  driverForTypedGraphql(): Driver {
    return this.driver;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.driver.close();
  }

  private async inSession<T>(
    mode: 'READ' | 'WRITE',
    work: (tx: TxRunner) => Promise<T>,
    timeoutMs: number,
  ): Promise<T> {
    const session = this.driver.session({
      database: this.database,
      defaultAccessMode: mode === 'READ' ? neo4j.session.READ : neo4j.session.WRITE,
    });
    const config = { timeout: timeoutMs, metadata: { app: 'kgrag' } };
    const unitOfWork = (tx: ManagedTransaction) =>
      work({
        run: async (query, params = {}) => {
          const started = performance.now();
          const result: QueryResult<RecordShape> = await tx.run(query, params);
          this.logger.trace(
            { query: firstLine(query), ms: Math.round(performance.now() - started), rows: result.records.length },
            'cypher',
          );
          return result.records.map((r) => toPlain(r.toObject()) as Row);
        },
      });
    try {
      return mode === 'READ'
        ? await session.executeRead(unitOfWork, config)
        : await session.executeWrite(unitOfWork, config);
    } catch (err) {
      throw translateError(err, this.uri, false);
    } finally {
      await session.close();
    }
  }
}

/** A query type the driver reports that kgrag does not know counts as writing. */
function planQueryType(type: string): QueryPlanInfo['queryType'] {
  return type === 'r' || type === 'w' || type === 's' ? type : 'rw';
}

function firstLine(query: string): string {
  return query.split('\n', 1)[0]!.slice(0, 120);
}

/** Converts driver values to plain JSON-friendly values. */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (isInt(value)) return value.inSafeRange() ? value.toNumber() : value.toString();
  if (
    isDate(value) ||
    isDateTime(value) ||
    isLocalDateTime(value) ||
    isLocalTime(value) ||
    isTime(value) ||
    isDuration(value)
  ) {
    return value.toString();
  }
  if (isNode(value)) {
    return { elementId: value.elementId, labels: value.labels, properties: toPlain(value.properties) };
  }
  if (isRelationship(value)) {
    return {
      elementId: value.elementId,
      type: value.type,
      startElementId: value.startNodeElementId,
      endElementId: value.endNodeElementId,
      properties: toPlain(value.properties),
    };
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}

/** Maps Neo4j's error codes onto kgrag's errors, with a message that says what to do. */
export function translateError(err: unknown, uri: string, managed: boolean): GraphError {
  if (err instanceof GraphError) return err;
  if (err instanceof Neo4jError) {
    const code = err.code ?? '';
    const opts = { cause: err, neo4jCode: code };
    if (code === 'ServiceUnavailable' || code === 'SessionExpired') {
      const hint = managed ? 'start it with `kgrag db start`' : 'check NEO4J_URI and that the server is up';
      return new GraphError('DATABASE_UNAVAILABLE', `Cannot reach Neo4j at ${uri}: ${hint}.`, opts);
    }
    if (code.startsWith('Neo.ClientError.Security.')) {
      return new GraphError(
        'DATABASE_AUTH',
        `Neo4j at ${uri} refused the credentials (NEO4J_USERNAME / NEO4J_PASSWORD): ${err.message}`,
        opts,
      );
    }
    if (code.includes('TransactionTimedOut') || code.includes('TransactionTimedOutClientConfiguration')) {
      return new GraphError('QUERY_TIMEOUT', 'The query took longer than the allowed time and was stopped.', opts);
    }
    if (code === 'Neo.ClientError.Schema.ConstraintValidationFailed') {
      return new GraphError('CONSTRAINT_VIOLATION', err.message, opts);
    }
    if (code === 'Neo.ClientError.Database.DatabaseNotFound') {
      return new GraphError('DATABASE_NOT_FOUND', `${err.message} (check NEO4J_DATABASE).`, opts);
    }
    if (code.startsWith('Neo.ClientError.Statement.')) {
      return new GraphError('QUERY_INVALID', err.message, opts);
    }
    return new GraphError('DATABASE_ERROR', err.message, opts);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new GraphError('DATABASE_ERROR', message, { cause: err });
}
