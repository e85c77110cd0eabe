/*
 * kgrag's local Neo4j launcher: an embedded Neo4j Community DBMS with the Bolt connector on
 * 127.0.0.1 only. Started (detached) by src/db/local.ts; not meant to be run by hand, but it can:
 *
 *   KGRAG_LAUNCHER_HOME=/tmp/n4j KGRAG_LAUNCHER_PASSWORD=secret123 \
 *     java -Xmx1g -cp 'lib-X/*:lib-X/plugins/*:classes' Launcher
 *
 * All settings come from environment variables, never from argv, so that the password does not
 * show in `ps` (the environment of a process is only readable by its owner and root):
 *
 *   KGRAG_LAUNCHER_HOME        folder for data/, logs/, conf/ and the ready marker (required)
 *   KGRAG_LAUNCHER_PASSWORD    password of the user below (required, at least 8 characters)
 *   KGRAG_LAUNCHER_USERNAME    database user (default neo4j)
 *   KGRAG_LAUNCHER_BOLT_PORT   Bolt port on 127.0.0.1 (default 7687)
 *   KGRAG_LAUNCHER_PAGECACHE   page cache size, e.g. 4g (default 4g)
 *   KGRAG_LAUNCHER_TX_TIMEOUT_MS  db.transaction.timeout in ms (default 30000; 0 = none)
 *   KGRAG_LAUNCHER_PLUGINS     plugin folder scanned for procedures (APOC jars); optional
 *   KGRAG_LAUNCHER_DATABASE    name of the default database when the store is first created
 *                              (default neo4j; Community Edition has exactly one user database)
 *   KGRAG_LAUNCHER_VERSION     Neo4j version, only written to the ready marker
 *
 * Heap size is a JVM flag (-Xms/-Xmx), chosen by the caller.
 *
 * Password: on every start the configured password is set on the system database with
 * `ALTER USER <user> SET PASSWORD $p CHANGE NOT REQUIRED` (creating the user first when it is not
 * `neo4j` and does not exist yet; the built-in `neo4j` user then gets the same password, so that
 * it does not keep the well-known initial one). The configuration is therefore authoritative:
 * changing NEO4J_PASSWORD and restarting changes the database password, and a password changed
 * over Bolt is reset at the next start. Bolt already listens while this happens (a second or
 * two, on 127.0.0.1 only); the ready marker is written after it.
 *
 * Ready marker: when the databases are online, the password is set and the Bolt port accepts
 * TCP connections, the file <home>/ready is written (JSON: pid, port, version, startedAt) and the
 * line "KGRAG_NEO4J_READY" is printed. On SIGTERM/SIGINT a shutdown hook removes the marker and
 * shuts the DBMS down cleanly.
 */

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.QueryExecutionException;
import org.neo4j.graphdb.Transaction;
import org.neo4j.io.ByteUnit;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

public final class Launcher {
    static final String READY_LINE = "KGRAG_NEO4J_READY";

    private static volatile DatabaseManagementService dbms;
    private static volatile Path readyFile;

    public static void main(String[] args) {
        try {
            start();
        } catch (Throwable t) {
            // Neo4j's own non-daemon threads would keep a half-started JVM alive: exit, which
            // runs the shutdown hook (clean DBMS shutdown).
            log("FATAL start failed: " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
    }

    private static void start() throws Exception {
        Path home = Path.of(required("KGRAG_LAUNCHER_HOME")).toAbsolutePath().normalize();
        String password = required("KGRAG_LAUNCHER_PASSWORD");
        String username = env("KGRAG_LAUNCHER_USERNAME", "neo4j");
        int port = Integer.parseInt(env("KGRAG_LAUNCHER_BOLT_PORT", "7687"));
        long pagecache = ByteUnit.parse(env("KGRAG_LAUNCHER_PAGECACHE", "4g"));
        long txTimeoutMs = Long.parseLong(env("KGRAG_LAUNCHER_TX_TIMEOUT_MS", "30000"));
        String plugins = env("KGRAG_LAUNCHER_PLUGINS", "");
        String version = env("KGRAG_LAUNCHER_VERSION", "unknown");
        String database = env("KGRAG_LAUNCHER_DATABASE", "neo4j");

        if (password.length() < 8) fail("KGRAG_LAUNCHER_PASSWORD must have at least 8 characters");
        if (!username.matches("[A-Za-z0-9_.-]+")) fail("KGRAG_LAUNCHER_USERNAME has unsupported characters: " + username);

        readyFile = home.resolve("ready");
        Files.deleteIfExists(readyFile);
        Path data = home.resolve("data");
        Path logs = home.resolve("logs");
        Files.createDirectories(data);
        Files.createDirectories(logs);

        Runtime.getRuntime().addShutdownHook(new Thread(Launcher::shutdown, "kgrag-neo4j-shutdown"));

        log("starting Neo4j " + version + " (home " + home + ", bolt 127.0.0.1:" + port + ", page cache "
                + env("KGRAG_LAUNCHER_PAGECACHE", "4g") + ", heap max " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)");

        DatabaseManagementServiceBuilder builder = new DatabaseManagementServiceBuilder(home)
                .setUserLogProvider(new Log4jLogProvider(System.out, Level.INFO));
        // Optional user overrides (any neo4j.conf setting) in <home>/conf/neo4j.conf. Loaded first
        // so that the settings kgrag depends on below win.
        Path conf = home.resolve("conf").resolve("neo4j.conf");
        if (Files.isRegularFile(conf)) {
            log("loading settings from " + conf);
            builder.loadPropertiesFromFile(conf);
        }
        builder.setConfig(GraphDatabaseSettings.data_directory, data)
                .setConfig(GraphDatabaseSettings.logs_directory, logs)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMillis(txTimeoutMs))
                .setConfig(GraphDatabaseSettings.pagecache_memory, pagecache)
                .setConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"))
                .setConfig(GraphDatabaseSettings.procedure_allowlist, List.of("*"))
                .setConfig(GraphDatabaseSettings.initial_default_database, database)
                .setConfig(GraphDatabaseSettings.udc_enabled, false);
        if (!plugins.isEmpty()) builder.setConfig(GraphDatabaseSettings.plugin_dir, Path.of(plugins).toAbsolutePath());
        // Bolt's network threads wait a 5 s "quiet period" twice on shutdown, after the databases
        // are already checkpointed and closed; skip that. An internal setting, so it is looked up
        // by name and skipped when absent.
        setInternal(builder, "org.neo4j.configuration.GraphDatabaseInternalSettings",
                "netty_server_shutdown_quiet_period", 0);

        seedInitialPassword(home, data, password);
        dbms = builder.build();

        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        waitAvailable(system, "system");
        setPassword(system, username, password);
        for (String name : dbms.listDatabases()) {
            waitAvailable(dbms.database(name), name);
        }
        waitForBolt(port);

        long pid = ProcessHandle.current().pid();
        String json = "{\"pid\":" + pid + ",\"port\":" + port + ",\"version\":\"" + version + "\",\"startedAt\":\""
                + Instant.now() + "\"}\n";
        Path tmp = home.resolve("ready.tmp");
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, readyFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        log(READY_LINE + " pid=" + pid + " bolt=bolt://127.0.0.1:" + port);

        // Keep the JVM alive; the shutdown hook does the rest on SIGTERM.
        Thread.currentThread().join();
    }

    @SuppressWarnings("unchecked")
    private static void setInternal(DatabaseManagementServiceBuilder builder, String cls, String field, Object value) {
        try {
            var setting = (org.neo4j.graphdb.config.Setting<Object>) Class.forName(cls).getField(field).get(null);
            // A number of seconds in 5.x, a Duration in 2025+: zero in the setting's own type.
            if (value instanceof Integer n && setting.defaultValue() instanceof Duration) value = Duration.ofSeconds(n);
            builder.setConfig(setting, value);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log("internal setting " + field + " not applied: " + e);
        }
    }

    /**
     * Before the very first start (no system database yet), store the initial password of the
     * built-in `neo4j` user the way `neo4j-admin dbms set-initial-password` does (data/dbms/auth.ini,
     * read once when the system database is created), so that Bolt never accepts the well-known
     * default password. Internal classes, hence reflection; when that fails the ALTER USER below
     * still sets the password, just a moment after Bolt starts listening.
     */
    private static void seedInitialPassword(Path home, Path data, String password) {
        if (Files.exists(data.resolve("databases").resolve(GraphDatabaseSettings.SYSTEM_DATABASE_NAME))) return;
        try {
            Object config = Class.forName("org.neo4j.configuration.Config").getMethod("newBuilder").invoke(null);
            Class<?> builderClass = config.getClass();
            java.lang.reflect.Method set = builderClass.getMethod("set", org.neo4j.graphdb.config.Setting.class, Object.class);
            set.invoke(config, GraphDatabaseSettings.neo4j_home, home);
            set.invoke(config, GraphDatabaseSettings.data_directory, data);
            Object cfg = builderClass.getMethod("build").invoke(config);
            Class<?> repoClass = Class.forName("org.neo4j.server.security.auth.FileUserRepository");
            Path file = (Path) Class.forName("org.neo4j.server.security.auth.CommunitySecurityModule")
                    .getMethod("getInitialUserRepositoryFile", cfg.getClass()).invoke(null, cfg);
            Files.deleteIfExists(file);
            Class<?> fsClass = Class.forName("org.neo4j.io.fs.FileSystemAbstraction");
            Class<?> logProviderClass = Class.forName("org.neo4j.logging.InternalLogProvider");
            Class<?> memoryTrackerClass = Class.forName("org.neo4j.memory.MemoryTracker");
            Object fs = Class.forName("org.neo4j.io.fs.DefaultFileSystemAbstraction").getConstructor().newInstance();
            Object nullLog = Class.forName("org.neo4j.logging.NullLogProvider").getMethod("getInstance").invoke(null);
            Object noTracking = Class.forName("org.neo4j.memory.EmptyMemoryTracker").getField("INSTANCE").get(null);
            Object repo = repoClass.getConstructor(fsClass, Path.class, logProviderClass, memoryTrackerClass)
                    .newInstance(fs, file, nullLog, noTracking);
            Class<?> hasherClass = Class.forName("org.neo4j.server.security.SecureHasher");
            Class<?> credentialClass = Class.forName("org.neo4j.server.security.SystemGraphCredential");
            Object credential = credentialClass.getMethod("createCredentialForPassword", byte[].class, hasherClass)
                    .invoke(null, password.getBytes(StandardCharsets.UTF_8), hasherClass.getConstructor().newInstance());
            Class<?> userClass = Class.forName("org.neo4j.kernel.impl.security.User");
            Object user = userClass.getConstructor(String.class, String.class,
                            Class.forName("org.neo4j.kernel.impl.security.Credential"), boolean.class, boolean.class)
                    .newInstance("neo4j", null, credential, false, false);
            repoClass.getMethod("start").invoke(repo);
            repoClass.getMethod("create", userClass).invoke(repo, user);
            repoClass.getMethod("shutdown").invoke(repo);
            try {
                Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException | IOException e) {
                // not a POSIX file system: keep the default permissions
            }
            log("initial password of user 'neo4j' stored before the first start (" + file + ")");
        } catch (Throwable t) {
            Throwable cause = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null ? t.getCause() : t;
            log("could not store the initial password (" + cause + "); it is set with ALTER USER after start");
        }
    }

    private static void setPassword(GraphDatabaseService system, String username, String password) {
        if (!"neo4j".equals(username)) {
            // Community Edition has no roles: every user may do everything.
            run(system, "CREATE USER `" + username + "` IF NOT EXISTS SET PASSWORD $p CHANGE NOT REQUIRED",
                    Map.of("p", password));
            // The built-in user would otherwise keep its well-known initial password "neo4j"
            // (with a change required, which anyone on this machine could make); Community
            // Edition cannot suspend or drop it, so it gets the configured password too.
            alterPassword(system, "neo4j", password);
        }
        alterPassword(system, username, password);
    }

    private static void alterPassword(GraphDatabaseService system, String username, String password) {
        long t0 = System.nanoTime();
        try {
            run(system, "ALTER USER `" + username + "` SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password));
            log("password of user '" + username + "' set from the configuration (" + ms(t0) + " ms)");
        } catch (QueryExecutionException e) {
            // Neo4j refuses to "change" a password to the one it already has ("Old password and
            // new password cannot be the same"): nothing to do then, except making sure that no
            // change is required.
            String msg = String.valueOf(e.getMessage());
            if (!msg.contains("cannot be the same")) throw e;
            run(system, "ALTER USER `" + username + "` SET PASSWORD CHANGE NOT REQUIRED", Map.of());
            log("password of user '" + username + "' already matches the configuration (" + ms(t0) + " ms)");
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void run(GraphDatabaseService db, String query, Map<String, Object> params) {
        // Not the configured user timeout: on a busy machine the first statements of a cold JVM
        // (planning included) can take longer than that, and the start must not fail for it.
        try (Transaction tx = db.beginTx(10, TimeUnit.MINUTES)) {
            tx.execute(query, params).close();
            tx.commit();
        }
    }

    private static void waitAvailable(GraphDatabaseService db, String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!db.isAvailable(1000)) {
            if (System.nanoTime() > deadline) fail("database '" + name + "' did not come online");
            log("waiting for database '" + name + "' to come online");
        }
    }

    private static void waitForBolt(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) fail("Bolt does not accept connections on 127.0.0.1:" + port + ": " + e);
                Thread.sleep(100);
            }
        }
    }

    private static void shutdown() {
        try {
            if (readyFile != null) Files.deleteIfExists(readyFile);
        } catch (IOException e) {
            log("could not remove ready marker: " + e);
        }
        DatabaseManagementService d = dbms;
        if (d != null) {
            log("shutting down");
            try {
                d.shutdown();
                log("stopped");
            } catch (Throwable t) {
                log("error during shutdown: " + t);
            }
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    private static String required(String name) {
        String v = System.getenv(name);
        if (v == null || v.isEmpty()) fail("environment variable " + name + " is required");
        return v;
    }

    private static void log(String msg) {
        System.out.println(Instant.now() + " [kgrag-launcher] " + msg);
        System.out.flush();
    }

    private static void fail(String msg) {
        log("FATAL " + msg);
        System.exit(1);
    }
}
