package dev.tunelab.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A peer script kept running between measurements, so that our runs and the peer's can alternate in one time window
 * (a busy machine then slows both sides alike). The script prints one JSON line when ready and one per request line.
 */
final class PeerSession implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    private final Path errors;
    private final Path scriptFile;
    private String greeting;

    private PeerSession(Process process, Path errors, Path scriptFile) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.errors = errors;
        this.scriptFile = scriptFile;
    }

    /** Starts the script with Debian's python3 and pinned threads, and waits for its first line. */
    static PeerSession start(String script, List<String> args, int threads, Path workDir) throws IOException {
        Path file = PythonPeer.scriptFile(script, workDir);
        ProcessBuilder pb = PythonPeer.command(file, args, threads);
        Path err = Files.createTempFile(workDir, "peer", ".err");
        pb.redirectError(err.toFile());
        PeerSession session = new PeerSession(pb.start(), err, file);
        session.greeting = session.readLine();
        return session;
    }

    /** The script's first line (it says it is ready). */
    String greeting() {
        return greeting;
    }

    /** Sends one request line and returns the script's answer line. */
    String ask(String request) throws IOException {
        in.write(request + "\n");
        in.flush();
        return readLine();
    }

    private String readLine() throws IOException {
        String line = out.readLine();
        if (line == null) {
            String tail = Files.readString(errors).lines().reduce((a, b) -> b).orElse("no output");
            throw new IOException("peer script ended: " + tail);
        }
        return line;
    }

    @Override
    public void close() throws IOException {
        try {
            in.close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(errors);
            Files.deleteIfExists(scriptFile);
        }
    }
}
