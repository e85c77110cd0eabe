import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KgragConfig } from '../config/index.ts';
import { DatabaseLifecycleError, errorMessage } from '../errors.ts';
import type { Logger } from '../logging.ts';

/**
 * The local Neo4j that kgrag manages (`kgrag db start|stop|status`): Neo4j Community from Maven
 * Central jars, run as an embedded DBMS with Bolt on 127.0.0.1 by scripts/neo4j/Launcher.java.
 *
 * Layout under `config.localDb.home`:
 *   lib-<version>/            jars fetched once with Maven (marker file `.kgrag-complete`)
 *   lib-<version>/plugins/    APOC jars (scanned by Neo4j for procedures)
 *   lib-<version>/launcher-<hash>/Launcher.class   the launcher, compiled once
 *   data/  logs/              the database and its logs (logs/launcher.log: launcher + neo4j log)
 *   neo4j.pid                 pid of the running launcher JVM
 *   ready                     written by the launcher once Bolt accepts connections
 *   conf/neo4j.conf           optional extra Neo4j settings (the launcher's own settings win)
 *
 * This module must not import neo4j-driver: the caller verifies the connection and applies the
 * schema.
 */

export interface LocalDbStatus {
  running: boolean;
  pid: number | null;
  boltUrl: string;
  version: string;
  home: string;
  logFile: string;
}

const SCRIPTS_DIR = fileURLToPath(new URL('../../scripts/neo4j/', import.meta.url));
const POM = path.join(SCRIPTS_DIR, 'pom.xml');
const LAUNCHER_SOURCE = path.join(SCRIPTS_DIR, 'Launcher.java');
const LAUNCHER_CLASS = 'Launcher';
/** JVM system property that marks our process (and its home) in the command line. */
const HOME_PROPERTY = 'kgrag.neo4j.home';
const COMPLETE_MARKER = '.kgrag-complete';
const DEFAULT_START_TIMEOUT_MS = 120_000;
const DEFAULT_STOP_TIMEOUT_MS = 60_000;
const FETCH_TIMEOUT_MS = 30 * 60_000;
const LOCK_WAIT_MS = 30 * 60_000;
/** A version for which Neo4j, Bolt and APOC (core + common) all exist on Maven Central. */
const DEFAULT_HINT_VERSION = '5.26.19';

interface Paths {
  home: string;
  libDir: string;
  pluginsDir: string;
  dataDir: string;
  logsDir: string;
  logFile: string;
  pidFile: string;
  readyFile: string;
  lockFile: string;
}

interface ReadyInfo {
  pid: number;
  port: number;
  version: string;
}

/** APOC core is published on Maven Central for Neo4j 5.x only (later releases ship it with the server). */
export const hasMavenApoc = (neo4jVersion: string) => neo4jVersion.startsWith('5.');

function pathsFor(config: KgragConfig): Paths {
  // The real path, so that the same folder reached through a symlink is recognised as the same.
  let home = config.localDb.home;
  try {
    home = realpathSync(home);
  } catch {
    /* does not exist yet */
  }
  const libDir = path.join(home, `lib-${config.localDb.version}`);
  return {
    home,
    libDir,
    pluginsDir: path.join(libDir, 'plugins'),
    dataDir: path.join(home, 'data'),
    logsDir: path.join(home, 'logs'),
    logFile: path.join(home, 'logs', 'launcher.log'),
    pidFile: path.join(home, 'neo4j.pid'),
    readyFile: path.join(home, 'ready'),
    lockFile: path.join(home, 'start.lock'),
  };
}

function boltUrlFor(port: number): string {
  return `bolt://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------- status

export async function localDbStatus(config: KgragConfig): Promise<LocalDbStatus> {
  const p = pathsFor(config);
  const port = config.localDb.boltPort;
  const pid = runningPid(p);
  const ready = readReady(p);
  const running = pid !== null && ready !== null && ready.pid === pid && (await isPortOpen(port));
  return {
    running,
    pid: running ? pid : null,
    boltUrl: boltUrlFor(port),
    version: running && ready ? ready.version : config.localDb.version,
    home: p.home,
    logFile: p.logFile,
  };
}

/** The pid of our launcher when it is alive (from the pid file, else the ready marker). */
function runningPid(p: Paths): number | null {
  const candidates = [readPid(p.pidFile), readReady(p)?.pid ?? null];
  for (const pid of candidates) {
    if (pid !== null && isAlive(pid) && isOurLauncher(pid, p.home)) return pid;
  }
  return null;
}

function readPid(file: string): number | null {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

function readReady(p: Paths): ReadyInfo | null {
  try {
    const parsed = JSON.parse(readFileSync(p.readyFile, 'utf8')) as Partial<ReadyInfo>;
    if (typeof parsed.pid !== 'number' || typeof parsed.port !== 'number') return null;
    return { pid: parsed.pid, port: parsed.port, version: String(parsed.version ?? 'unknown') };
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: exists but belongs to someone else (then it is not ours anyway, see isOurLauncher).
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, not yet reaped by its parent) counts as dead.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

/** Guards against pid reuse: the process must be a JVM started for this home. */
function isOurLauncher(pid: number, home: string): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return !existsSync('/proc/self/cmdline'); // no /proc at all: cannot check, assume ours
  }
  const args = cmdline.split('\0');
  return args.includes(`-D${HOME_PROPERTY}=${home}`) && args.includes(LAUNCHER_CLASS);
}

function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

// ---------------------------------------------------------------- start

export async function startLocalDb(
  config: KgragConfig,
  logger: Logger,
  opts: { timeoutMs?: number; onProgress?: (msg: string) => void } = {},
): Promise<LocalDbStatus> {
  if (!config.neo4j.managed) {
    throw new DatabaseLifecycleError(`NEO4J_URI points at ${config.neo4j.uri}: kgrag does not manage that database`);
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const progress = (msg: string) => {
    logger.info({ component: 'local-db' }, msg);
    opts.onProgress?.(msg);
  };
  mkdirSync(path.join(config.localDb.home, 'logs'), { recursive: true });
  const p = pathsFor(config);

  const already = await localDbStatus(config);
  if (already.running) {
    logger.info({ neo4jPid: already.pid, boltUrl: already.boltUrl }, 'local Neo4j already running');
    return already;
  }

  const release = await acquireLock(p.lockFile, progress);
  try {
    // Another process may have started it while we waited for the lock.
    const now = await localDbStatus(config);
    if (now.running) return now;
    const starting = runningPid(p);
    if (starting !== null) {
      // Our launcher is alive but not ready yet (still starting up): wait for it.
      progress(`Waiting for the local Neo4j (pid ${starting}) that is already starting...`);
      await waitReady(config, p, starting, timeoutMs, undefined, 0);
      return await localDbStatus(config);
    }
    return await spawnLauncher(config, logger, p, timeoutMs, progress);
  } finally {
    release();
  }
}

async function spawnLauncher(
  config: KgragConfig,
  logger: Logger,
  p: Paths,
  timeoutMs: number,
  progress: (msg: string) => void,
): Promise<LocalDbStatus> {
  const port = config.localDb.boltPort;
  // Leftovers of a crash (kill -9, reboot).
  rmSync(p.readyFile, { force: true });
  rmSync(p.pidFile, { force: true });

  if (await isPortOpen(port)) {
    throw new DatabaseLifecycleError(
      `Port ${port} on 127.0.0.1 is already in use by another program, not by the Neo4j kgrag manages in ${p.home}. ` +
        `Stop that program, or use another port for kgrag's database (NEO4J_URI=bolt://127.0.0.1:<port>).`,
    );
  }

  const java = await findJava(config.localDb.version, logger);
  await fetchJars(config, logger, p, progress);
  const classesDir = await compileLauncher(java, p, logger);

  const classpath = [path.join(p.libDir, '*'), path.join(p.pluginsDir, '*'), classesDir].join(path.delimiter);
  const jvmArgs = [
    `-Xms${config.localDb.heap}`,
    `-Xmx${config.localDb.heap}`,
    `-D${HOME_PROPERTY}=${p.home}`,
    '-XX:+UseG1GC',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:+UnlockExperimentalVMOptions',
    '-XX:+TrustFinalNonStaticFields',
    '-XX:+DisableExplicitGC',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djdk.nio.maxCachedBufferSize=1024',
    '-Dio.netty.tryReflectionSetAccessible=true',
    '-Djdk.tls.ephemeralDHKeySize=2048',
    '-Djdk.tls.rejectClientInitiatedRenegotiation=true',
    '-Dlog4j2.disable.jmx=true',
    '-Dfile.encoding=UTF-8',
    '-Djava.awt.headless=true',
    // As the Neo4j server's start script does: the page cache needs reflective access to direct
    // buffers (otherwise it logs a warning and runs in a slower fallback mode), netty too.
    '--add-opens=java.base/java.nio=ALL-UNNAMED',
    '--add-opens=java.base/java.io=ALL-UNNAMED',
    '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
    '-cp',
    classpath,
    LAUNCHER_CLASS,
  ];
  // Settings go through the environment, never argv: the password must not show in `ps`.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KGRAG_LAUNCHER_HOME: p.home,
    KGRAG_LAUNCHER_USERNAME: config.neo4j.username,
    KGRAG_LAUNCHER_PASSWORD: config.neo4j.password,
    KGRAG_LAUNCHER_BOLT_PORT: String(port),
    KGRAG_LAUNCHER_PAGECACHE: config.localDb.pagecache,
    KGRAG_LAUNCHER_TX_TIMEOUT_MS: String(config.neo4j.txTimeoutMs),
    KGRAG_LAUNCHER_PLUGINS: p.pluginsDir,
    KGRAG_LAUNCHER_VERSION: config.localDb.version,
    KGRAG_LAUNCHER_DATABASE: config.neo4j.database,
  };

  const logOffset = existsSync(p.logFile) ? statSync(p.logFile).size : 0;
  progress(`Starting Neo4j ${config.localDb.version} on ${boltUrlFor(port)} (heap ${config.localDb.heap}, page cache ${config.localDb.pagecache})...`);
  const out = openSync(p.logFile, 'a');
  let child;
  try {
    child = spawn(java.bin, jvmArgs, { cwd: p.home, env, detached: true, stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  let exitInfo: string | null = null;
  child.once('exit', (code, signal) => {
    exitInfo = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  });
  const spawnError = new Promise<Error | null>((resolve) => {
    child.once('error', resolve);
    child.once('spawn', () => resolve(null));
  });
  const err = await spawnError;
  if (err || child.pid === undefined) {
    throw new DatabaseLifecycleError(`Could not run ${java.bin}: ${errorMessage(err)}`, { cause: err });
  }
  child.unref();
  const pid = child.pid;
  writeFileSync(p.pidFile, `${pid}\n`);
  logger.debug({ neo4jPid: pid, java: java.bin, javaVersion: java.major }, 'launcher spawned');

  const started = Date.now();
  await waitReady(config, p, pid, timeoutMs, () => exitInfo, logOffset);
  const status = await localDbStatus(config);
  logger.info({ neo4jPid: pid, ms: Date.now() - started, boltUrl: status.boltUrl }, 'local Neo4j ready');
  return status;
}

async function waitReady(
  config: KgragConfig,
  p: Paths,
  pid: number,
  timeoutMs: number,
  exited: (() => string | null) | undefined,
  logOffset: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exitInfo = exited?.() ?? (isAlive(pid) ? null : 'exited');
    if (exitInfo) {
      rmSync(p.pidFile, { force: true });
      throw new DatabaseLifecycleError(
        `Neo4j (pid ${pid}) ${exitInfo} before it was ready. Last lines of ${p.logFile}:\n${await logTail(p, logOffset)}`,
      );
    }
    const ready = readReady(p);
    if (ready && ready.pid === pid && (await isPortOpen(config.localDb.boltPort))) return;
    if (Date.now() > deadline) {
      const tail = await logTail(p, logOffset);
      // Do not leave a half-started database behind.
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      if (await waitExit(pid, 30_000)) rmSync(p.pidFile, { force: true });
      throw new DatabaseLifecycleError(
        `Neo4j (pid ${pid}) was not ready after ${Math.round(timeoutMs / 1000)} s and is being stopped. ` +
          `Last lines of ${p.logFile}:\n${tail}`,
      );
    }
    await sleep(250);
  }
}

async function logTail(p: Paths, fromOffset: number, lines = 20): Promise<string> {
  const read = async (file: string, offset: number): Promise<string> => {
    try {
      const fh = await openFile(file, 'r');
      try {
        const size = (await fh.stat()).size;
        const start = Math.max(offset, size - 64 * 1024);
        const buf = Buffer.alloc(Math.max(0, size - start));
        await fh.read(buf, 0, buf.length, start);
        return buf.toString('utf8');
      } finally {
        await fh.close();
      }
    } catch {
      return '';
    }
  };
  let text = (await read(p.logFile, fromOffset)).trim();
  if (!text) text = (await read(path.join(p.logsDir, 'debug.log'), 0)).trim();
  const all = text.split('\n');
  return all.slice(-lines).join('\n') || '(the log is empty)';
}

// ---------------------------------------------------------------- java, jars, launcher

interface JavaInfo {
  bin: string;
  javac: string;
  major: number;
}

/** Neo4j 5.x runs on Java 17 and 21; 2025.10 and later on 21 and 25. */
function javaRange(neo4jVersion: string): { minimum: number; supported: number[] } {
  return neo4jVersion.startsWith('5.') ? { minimum: 17, supported: [17, 21] } : { minimum: 21, supported: [21, 25] };
}

/** Where JDKs are usually installed (Debian/Ubuntu packages, Temurin, SDKMAN). */
const JDK_FOLDERS = ['/usr/lib/jvm', '/opt/java', path.join(process.env.HOME ?? '', '.sdkman/candidates/java')];

/**
 * The Java that runs the local Neo4j: JAVA_HOME when set (it must be recent enough: the user
 * chose it), else `java` on the PATH when recent enough, else the newest supported JDK found in
 * the usual install folders (Neo4j 2025+ needs Java 21, while many machines default to 17).
 */
async function findJava(neo4jVersion: string, logger: Logger): Promise<JavaInfo> {
  const { minimum, supported } = javaRange(neo4jVersion);
  const javaHome = process.env.JAVA_HOME;
  const first = await probeJava(javaHome ? path.join(javaHome, 'bin', 'java') : 'java');
  if (javaHome || (first && first.major >= minimum)) {
    if (!first) {
      throw new DatabaseLifecycleError(
        `Java is needed to run the local Neo4j but ${path.join(javaHome!, 'bin', 'java')} (from JAVA_HOME) could not be run. ` +
          `Point JAVA_HOME at a JDK ${supported.join(' or ')}.`,
      );
    }
    return checked(first, neo4jVersion, logger, javaHome ? 'JAVA_HOME' : 'PATH');
  }
  const installed = await installedJdks();
  const fits = installed.filter((j) => j.major >= minimum);
  // A supported release first (the newest of them), else the oldest newer one.
  const pick = fits.filter((j) => supported.includes(j.major)).sort((a, b) => b.major - a.major)[0] ?? fits.sort((a, b) => a.major - b.major)[0];
  if (pick) {
    logger.info({ java: pick.bin, major: pick.major }, `Neo4j ${neo4jVersion} needs Java ${minimum}+: using ${pick.bin}`);
    return checked(pick, neo4jVersion, logger, 'found');
  }
  const seen = [first, ...installed].filter((j): j is JavaInfo => j !== null).map((j) => `${j.bin} (Java ${j.major || '?'})`);
  throw new DatabaseLifecycleError(
    `Neo4j ${neo4jVersion} needs a JDK ${supported.join(' or ')}, ` +
      (seen.length ? `but only found ${seen.join(', ')}. ` : 'but no Java was found. ') +
      `Install one (e.g. apt-get install openjdk-${supported.at(-1)}-jdk-headless, or Temurin) and set JAVA_HOME to it.`,
  );
}

function checked(java: JavaInfo, neo4jVersion: string, logger: Logger, from: string): JavaInfo {
  const { minimum, supported } = javaRange(neo4jVersion);
  if (java.major < minimum) {
    throw new DatabaseLifecycleError(
      `Neo4j ${neo4jVersion} needs Java ${minimum} or later, but ${java.bin} (${from}) is Java ${java.major || 'of unknown version'}. ` +
        `Set JAVA_HOME to a JDK ${supported.join(' or ')}.`,
    );
  }
  if (!supported.includes(java.major)) {
    // 5.26 does start on Java 25 (tried), but it supports 17 and 21 only.
    logger.warn({ java: java.bin, major: java.major }, `Neo4j ${neo4jVersion} supports Java ${supported.join(' and ')}; running it on Java ${java.major} anyway`);
  }
  return java;
}

/** Runs `java -version`; null when it cannot be run. javac is looked up in the same JDK. */
async function probeJava(bin: string): Promise<JavaInfo | null> {
  let versionText: string;
  try {
    const r = await run(bin, ['-XshowSettings:properties', '-version'], { timeoutMs: 30_000 });
    versionText = r.stderr + r.stdout;
  } catch {
    return null;
  }
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  let major = m ? Number(m[1]) : 0;
  if (major === 1 && m?.[2]) major = Number(m[2]); // "1.8.0"
  // The launcher is compiled with javac from the same JDK.
  const home = /^\s*java\.home = (.+)$/m.exec(versionText)?.[1]?.trim();
  return { bin, javac: home ? path.join(home, 'bin', 'javac') : path.join(path.dirname(bin), 'javac'), major };
}

async function installedJdks(): Promise<JavaInfo[]> {
  const homes = new Set<string>();
  for (const folder of JDK_FOLDERS) {
    let entries: string[] = [];
    try {
      entries = readdirSync(folder);
    } catch {
      continue;
    }
    for (const e of entries) {
      const home = path.join(folder, e);
      // A JDK (javac, to compile the launcher), reached once even through its symlinked aliases.
      if (!existsSync(path.join(home, 'bin', 'javac'))) continue;
      try {
        homes.add(realpathSync(home));
      } catch {
        /* dangling link */
      }
    }
  }
  const found = await Promise.all([...homes].sort().map((h) => probeJava(path.join(h, 'bin', 'java'))));
  return found.filter((j): j is JavaInfo => j !== null && existsSync(j.javac));
}

async function fetchJars(config: KgragConfig, logger: Logger, p: Paths, progress: (msg: string) => void): Promise<void> {
  if (existsSync(path.join(p.libDir, COMPLETE_MARKER))) return;
  const version = config.localDb.version;
  const tmpDir = `${p.libDir}.tmp-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  const apoc = hasMavenApoc(version);
  progress(`Downloading Neo4j ${version}${apoc ? ' and APOC' : ''} jars from Maven Central (first start only, about 120 MB)...`);
  if (!apoc) logger.warn({ version }, `APOC is not on Maven Central for Neo4j ${version}: running without it (GraphQL needs it)`);
  const started = Date.now();
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    POM,
    `-Dneo4j.version=${version}`,
    ...(apoc ? [] : ['-Dkgrag.noApoc']),
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${tmpDir}`,
  ];
  try {
    await run('mvn', args, { timeoutMs: FETCH_TIMEOUT_MS, cwd: p.home });
  } catch (err) {
    rmSync(tmpDir, { recursive: true, force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DatabaseLifecycleError(
        'Maven (`mvn`) is needed once, to download the Neo4j jars from Maven Central, but it is not installed. ' +
          'Install it (e.g. apt-get install maven) and run `kgrag db start` again.',
        { cause: err },
      );
    }
    const output = stripAnsi((err as RunError).output ?? '');
    const hint = /apoc-(core|common):jar:/.test(output)
      ? ` APOC is not published for every Neo4j patch release; ${DEFAULT_HINT_VERSION} has both.`
      : '';
    throw new DatabaseLifecycleError(
      `Downloading Neo4j ${version} with Maven failed (check KGRAG_NEO4J_VERSION and that Maven Central is reachable).${hint}\n` +
        lastLines(output || errorMessage(err), 20),
      { cause: err },
    );
  }
  // Procedure jars go to the plugin folder, which Neo4j scans for procedures and functions.
  const plugins = path.join(tmpDir, 'plugins');
  mkdirSync(plugins, { recursive: true });
  const apocJars = readdirSync(tmpDir).filter((f) => /^apoc-.*\.jar$/.test(f));
  if (apoc && apocJars.length === 0) {
    rmSync(tmpDir, { recursive: true, force: true });
    throw new DatabaseLifecycleError(`Maven did not fetch APOC for Neo4j ${version}: no apoc-*.jar in the result.`);
  }
  for (const f of apocJars) renameSync(path.join(tmpDir, f), path.join(plugins, f));
  writeFileSync(path.join(tmpDir, COMPLETE_MARKER), `${JSON.stringify({ version, fetchedAt: new Date().toISOString() })}\n`);
  rmSync(p.libDir, { recursive: true, force: true });
  renameSync(tmpDir, p.libDir);
  const count = readdirSync(p.libDir).filter((f) => f.endsWith('.jar')).length + apocJars.length;
  logger.info({ version, jars: count, ms: Date.now() - started }, 'Neo4j jars fetched');
  progress(`Fetched ${count} jars in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

/** Compiles Launcher.java once per source version and Neo4j version; returns the classes folder. */
async function compileLauncher(java: JavaInfo, p: Paths, logger: Logger): Promise<string> {
  const source = readFileSync(LAUNCHER_SOURCE);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const classesDir = path.join(p.libDir, `launcher-${hash}`);
  if (existsSync(path.join(classesDir, `${LAUNCHER_CLASS}.class`))) return classesDir;
  const tmpDir = `${classesDir}.tmp-${process.pid}`;
  rmSync(tmpDir, { recursive: true, force: true });
  mkdirSync(tmpDir, { recursive: true });
  const classpath = [path.join(p.libDir, '*'), path.join(p.pluginsDir, '*')].join(path.delimiter);
  try {
    await run(java.javac, ['-nowarn', '-proc:none', '-encoding', 'UTF-8', '-cp', classpath, '-d', tmpDir, LAUNCHER_SOURCE], {
      timeoutMs: 120_000,
    });
  } catch (err) {
    rmSync(tmpDir, { recursive: true, force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DatabaseLifecycleError(
        `A JDK (with javac) is needed to compile the Neo4j launcher, but ${java.javac} was not found. ` +
          'Install a JDK (not only a JRE) or point JAVA_HOME at one.',
        { cause: err },
      );
    }
    throw new DatabaseLifecycleError(
      `Compiling ${LAUNCHER_SOURCE} failed:\n${lastLines((err as RunError).output ?? errorMessage(err), 20)}`,
      { cause: err },
    );
  }
  // Old compiled launchers of this version are no longer needed.
  for (const f of readdirSync(p.libDir)) {
    if (f.startsWith('launcher-') && !f.includes('.tmp-')) rmSync(path.join(p.libDir, f), { recursive: true, force: true });
  }
  renameSync(tmpDir, classesDir);
  logger.debug({ classesDir }, 'launcher compiled');
  return classesDir;
}

// ---------------------------------------------------------------- stop

export async function stopLocalDb(config: KgragConfig, logger: Logger, opts: { timeoutMs?: number } = {}): Promise<void> {
  const p = pathsFor(config);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const pid = runningPid(p);
  if (pid === null) {
    rmSync(p.pidFile, { force: true });
    rmSync(p.readyFile, { force: true });
    logger.warn({ home: p.home }, 'local Neo4j is not running; nothing to stop');
    return;
  }
  logger.info({ neo4jPid: pid }, 'stopping local Neo4j');
  signal(pid, 'SIGTERM');
  if (!(await waitExit(pid, timeoutMs))) {
    logger.warn({ neo4jPid: pid, timeoutMs }, 'local Neo4j did not stop in time; killing it');
    signal(pid, 'SIGKILL');
    if (!(await waitExit(pid, 10_000))) {
      throw new DatabaseLifecycleError(`Could not stop Neo4j (pid ${pid}), not even with SIGKILL.`);
    }
  }
  rmSync(p.pidFile, { force: true });
  rmSync(p.readyFile, { force: true });
  logger.info({ neo4jPid: pid }, 'local Neo4j stopped');
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw new DatabaseLifecycleError(`Could not send ${sig} to Neo4j (pid ${pid}): ${errorMessage(err)}`, { cause: err });
    }
  }
}

async function waitExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

// ---------------------------------------------------------------- helpers

/**
 * A start lock, so that two kgrag processes (say the CLI and a test run) do not start two
 * databases or download the jars twice. A lock left behind by a dead process is taken over.
 * Calls within one process are serialized first (the file lock cannot tell them apart).
 */
const inProcessLocks = new Map<string, Promise<void>>();

async function acquireLock(file: string, progress: (msg: string) => void): Promise<() => void> {
  const previous = inProcessLocks.get(file) ?? Promise.resolve();
  let releaseInProcess!: () => void;
  const mine = new Promise<void>((resolve) => (releaseInProcess = resolve));
  const chained = previous.then(() => mine);
  inProcessLocks.set(file, chained);
  await previous;
  const releaseAll = () => {
    if (readPid(file) === process.pid) rmSync(file, { force: true });
    if (inProcessLocks.get(file) === chained) inProcessLocks.delete(file);
    releaseInProcess();
  };
  try {
    await acquireFileLock(file, progress);
  } catch (err) {
    releaseAll();
    throw err;
  }
  return releaseAll;
}

async function acquireFileLock(file: string, progress: (msg: string) => void): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeFileSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = readPid(file);
    if (holder === null) {
      // Possibly just created and not yet written: look again before calling it stale.
      await sleep(300);
      holder = readPid(file);
    }
    if (holder === null || holder === process.pid || !isAlive(holder)) {
      // Stale. Take it over only if nobody else did in the meantime.
      if (readPid(file) === holder) rmSync(file, { force: true });
      continue;
    }
    if (!told) {
      progress(`Another kgrag process (pid ${holder}) is starting the local Neo4j; waiting for it...`);
      told = true;
    }
    if (Date.now() > deadline) {
      throw new DatabaseLifecycleError(`Timed out waiting for the start lock ${file} held by pid ${holder}.`);
    }
    await sleep(500);
  }
}

interface RunError extends Error {
  code?: string | number;
  output?: string;
}

function run(
  cmd: string,
  args: string[],
  opts: { timeoutMs: number; cwd?: string },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs, maxBuffer: 64 * 1024 * 1024, cwd: opts.cwd, windowsHide: true },
      (err, stdout, stderr) => {
        if (err) {
          const e = err as RunError;
          e.output = `${stdout}${stderr}`;
          reject(e);
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

function stripAnsi(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
