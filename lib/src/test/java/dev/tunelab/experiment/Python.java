package dev.tunelab.experiment;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs a reference computation in Debian's /usr/bin/python3 (numpy, scikit-learn); a failure fails the test. */
final class Python {
    private Python() {}

    static String run(String script, String stdin) throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("python3 reference failed: " + err);
        }
        return out.trim();
    }
}
