package kg.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.io.ByteUnit;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilder;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Starts an in-process Neo4j (test harness) with Bolt on HOST:PORT and a password, prints
 * {@code READY bolt://HOST:PORT} when Bolt accepts connections, and stops on SIGTERM or when
 * stdin closes, so it never outlives the process that started it.
 *
 * <p>Usage: {@code Launcher [--background] [--pid-file FILE] HOST PORT PASSWORD DATA_DIR} (the
 * password may instead be given in the environment variable {@code KG_LAUNCHER_PASSWORD} by
 * passing "-" so it stays off the process list). {@code --background} does not watch stdin (a
 * server started with {@code &} or {@code nohup} has none) and stops on SIGTERM only;
 * {@code --pid-file} is written once Bolt answers and removed when the server stops.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] argv) throws Exception {
        boolean background = false;
        Path pidFile = null;
        java.util.List<String> rest = new java.util.ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            if ("--background".equals(argv[i])) {
                background = true;
            } else if ("--pid-file".equals(argv[i]) && i + 1 < argv.length) {
                pidFile = Path.of(argv[++i]);
            } else {
                rest.add(argv[i]);
            }
        }
        String[] args = rest.toArray(new String[0]);
        if (args.length != 4) {
            System.err.println("usage: Launcher [--background] [--pid-file FILE] HOST PORT PASSWORD|- DATA_DIR");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String password = "-".equals(args[2]) ? System.getenv("KG_LAUNCHER_PASSWORD") : args[2];
        if (password == null || password.length() < 8) {
            System.err.println("launcher: the password must have at least 8 characters");
            System.exit(2);
        }
        Path dir = Path.of(args[3]);

        // Stop when stdin reaches EOF (the parent died or closed the pipe), even mid-start-up.
        AtomicReference<Neo4j> running = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Neo4j neo4j = running.getAndSet(null);
            if (neo4j != null) {
                long t0 = System.nanoTime();
                try {
                    neo4j.close();
                    System.err.printf("launcher: Neo4j stopped in %.1f s%n", (System.nanoTime() - t0) / 1e9);
                } catch (RuntimeException e) {
                    System.err.println("launcher: error while stopping: " + e);
                }
            }
        }, "neo4j-shutdown-hook"));
        final Path pid = pidFile;
        if (pid != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    java.nio.file.Files.deleteIfExists(pid);
                } catch (IOException ignored) {
                    // nothing to do: a stale pid file names a process that is gone
                }
            }, "pid-file-cleanup"));
        }
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            try {
                while (in.read() != -1) {
                    // ignore anything written; only EOF matters
                }
            } catch (IOException ignored) {
                // treat as EOF
            }
            System.exit(0); // runs the shutdown hook, which closes Neo4j
        }, "stdin-watcher");
        watcher.setDaemon(true);
        if (!background) { // --background: stdin is not ours (closed, /dev/null); stop on SIGTERM only
            watcher.start();
        }

        Neo4jBuilder builder = Neo4jBuilders.newInProcessBuilder(dir);
        // KG_LAUNCHER_COPY_FROM: a NEO4J_HOME (e.g. filled by neo4j-admin database import) whose
        // data/ the server starts from, copied first, so the folder itself is left as it was
        String copyFrom = System.getenv("KG_LAUNCHER_COPY_FROM");
        if (copyFrom != null && !copyFrom.isEmpty()) {
            builder = builder.copyFrom(Path.of(copyFrom));
        }
        Neo4j neo4j = builder
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .withConfig(GraphDatabaseSettings.auth_enabled, true)
                // tests try wrong passwords on purpose: without this, three in a row lock the
                // neo4j user for 5 s and the tests that follow fail with AuthenticationRateLimit
                .withConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                // the harness default page cache is 8 MiB, which makes bulk loads crawl
                .withConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(512))
                // a throwaway test server: no 5 s netty quiet period per event loop group on close
                .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
        running.set(neo4j);

        GraphDatabaseService system = neo4j.databaseManagementService().database("system");
        system.executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));

        waitForBolt(host, port);
        if (pid != null) {
            java.nio.file.Files.writeString(pid, ProcessHandle.current().pid() + "\n");
        }
        System.out.println("READY bolt://" + host + ":" + port);
        System.out.flush();
        new CountDownLatch(1).await(); // until stdin closes or SIGTERM
    }

    private static void waitForBolt(String host, int port) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 500);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        System.err.println("launcher: Bolt did not open on " + host + ":" + port + " within 60 s");
        System.exit(1);
    }
}
