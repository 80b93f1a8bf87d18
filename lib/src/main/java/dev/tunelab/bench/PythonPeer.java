package dev.tunelab.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a peer measurement in Debian's /usr/bin/python3 (python3-torch, python3-faiss) with pinned threads.
 * The script prints one JSON object on its last stdout line.
 */
public final class PythonPeer {
    private PythonPeer() {}

    /** Null when the module imports; otherwise why the peer cannot run. */
    public static String missing(String module) {
        try {
            Result r = run("import " + module, List.of(), 1, Path.of(System.getProperty("java.io.tmpdir")), 120);
            return r.exitCode == 0 ? null : "python3 cannot import " + module;
        } catch (IOException e) {
            return "no python3: " + e.getMessage();
        }
    }

    public record Result(int exitCode, String stdout, String stderr) {
        public String lastLine() {
            String[] lines = stdout.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    public static Result run(String script, List<String> args, int threads, Path workDir, long timeoutSeconds)
            throws IOException {
        Path file = scriptFile(script, workDir);
        ProcessBuilder pb = command(file, args, threads);
        Path out = Files.createTempFile(workDir, "peer", ".out");
        Path err = Files.createTempFile(workDir, "peer", ".err");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("peer script timed out after " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.deleteIfExists(file);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }

    /** The script written to a temp file in {@code workDir}. */
    static Path scriptFile(String script, Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path file = Files.createTempFile(workDir, "peer", ".py");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        return file;
    }

    /** python3 FILE ARGS... with every BLAS/OpenMP thread pool pinned to {@code threads}. */
    static ProcessBuilder command(Path file, List<String> args, int threads) {
        List<String> cmd = new ArrayList<>(List.of(python(), file.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        String t = Integer.toString(threads);
        pb.environment().put("OMP_NUM_THREADS", t);
        pb.environment().put("OPENBLAS_NUM_THREADS", t);
        pb.environment().put("MKL_NUM_THREADS", t);
        return pb;
    }

    /** Debian's interpreter, where python3-torch lives (a pyenv python3 first on PATH cannot import it). */
    public static String python() {
        String env = System.getenv("TUNELAB_PYTHON");
        if (env != null && !env.isBlank()) {
            return env;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }
}
