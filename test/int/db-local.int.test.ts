import { existsSync } from 'node:fs';
import neo4j from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { hasMavenApoc, localDbStatus, startLocalDb } from '../../src/db/local.ts';
import { silentLogger } from '../../src/logging.ts';

/**
 * The local database lifecycle against the real thing. The database is left running at the end:
 * the other integration tests share it (test/global-setup.ts stops it if it started it).
 */
const config = loadConfig();

describe.skipIf(!config.neo4j.managed)('local Neo4j (kgrag db start/status)', () => {
  it('starts (or finds running) and reports running', async () => {
    const status = await startLocalDb(config, silentLogger(), { timeoutMs: 180_000 });
    expect(status.running).toBe(true);
    expect(status.pid).toBeGreaterThan(0);
    expect(status.boltUrl).toBe(`bolt://127.0.0.1:${config.localDb.boltPort}`);
    expect(status.version).toBe(config.localDb.version);
    expect(existsSync(status.logFile)).toBe(true);

    const reported = await localDbStatus(config);
    expect(reported).toEqual(status);
  }, 900_000);

  it('is idempotent: a second start returns the same process', async () => {
    const first = await localDbStatus(config);
    expect(first.running).toBe(true);
    const second = await startLocalDb(config, silentLogger());
    expect(second.running).toBe(true);
    expect(second.pid).toBe(first.pid);
    // Concurrent starts do not race each other into a second database either.
    const both = await Promise.all([startLocalDb(config, silentLogger()), startLocalDb(config, silentLogger())]);
    expect(both.map((s) => s.pid)).toEqual([first.pid, first.pid]);
  });

  it('accepts Bolt connections with the configured password and has APOC where Maven Central has it', async () => {
    const status = await localDbStatus(config);
    const driver = neo4j.driver(status.boltUrl, neo4j.auth.basic(config.neo4j.username, config.neo4j.password));
    try {
      await driver.verifyConnectivity();
      const apoc = hasMavenApoc(config.localDb.version);
      const result = await driver.executeQuery(`RETURN ${apoc ? 'apoc.version()' : 'null'} AS apoc, 1 + 1 AS two`, {}, { database: config.neo4j.database });
      const record = result.records[0]!;
      if (apoc) expect(record.get('apoc')).toMatch(/^5\./);
      expect(neo4j.integer.toNumber(record.get('two'))).toBe(2);
    } finally {
      await driver.close();
    }
  });

  it('rejects a wrong password', async () => {
    const status = await localDbStatus(config);
    const driver = neo4j.driver(status.boltUrl, neo4j.auth.basic(config.neo4j.username, `${config.neo4j.password}-wrong`));
    try {
      await expect(driver.verifyConnectivity()).rejects.toMatchObject({ code: 'Neo.ClientError.Security.Unauthorized' });
    } finally {
      await driver.close();
    }
  });
});
