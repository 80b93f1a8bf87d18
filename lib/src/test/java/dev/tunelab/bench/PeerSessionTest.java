package dev.tunelab.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kept-running peer that interleaved benchmarks talk to: one answer line per request line, threads pinned. */
class PeerSessionTest {
    @TempDir
    Path work;

    private static final String ECHO = String.join("\n",
            "import os, sys",
            "print('ready ' + os.environ['OMP_NUM_THREADS'] + ' ' + sys.argv[1], flush=True)",
            "for n, line in enumerate(sys.stdin):",
            "    if line.strip() == 'fail':",
            "        sys.stderr.write('peer gave up on request %d\\n' % n)",
            "        sys.exit(3)",
            "    print('%d:%s' % (n, line.strip()[::-1]), flush=True)",
            "");

    @Test
    void answersEachRequestInOrderAndCleansUp() throws Exception {
        try (PeerSession s = PeerSession.start(ECHO, List.of("arg"), 3, work)) {
            assertEquals("ready 3 arg", s.greeting());
            assertEquals("0:cba", s.ask("abc"));
            assertEquals("1:nur", s.ask("run"));
        }
        try (var files = Files.list(work)) {
            assertEquals(List.of(), files.toList(), "script and stderr files are removed on close");
        }
    }

    @Test
    void aPeerThatEndsGivesItsLastErrorLine() throws Exception {
        try (PeerSession s = PeerSession.start(ECHO, List.of("arg"), 1, work)) {
            IOException e = assertThrows(IOException.class, () -> s.ask("fail"));
            assertTrue(e.getMessage().contains("peer gave up on request 0"), e.getMessage());
        }
    }
}
