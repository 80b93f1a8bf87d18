package dev.tunelab.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConsoleProgressTest {
    @Test
    void pipesGetSparseLinesAndTerminalsOneRedrawnLine() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ConsoleProgress log = new ConsoleProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        for (int i = 1; i <= 200; i++) {
            log.progress("train lora", i, 200, "loss 0.5");
        }
        log.progress("evaluate lora", 1, 10, null);
        String text = buf.toString(StandardCharsets.UTF_8);
        assertEquals(6, text.lines().count(), text); // 1, 25%, 50%, 75%, 100% of train, then the new stage
        assertTrue(text.lines().toList().get(4).startsWith("train lora [############################] 200/200 100%  loss 0.5"));
        assertTrue(!text.contains("\r"));

        ByteArrayOutputStream tty = new ByteArrayOutputStream();
        ConsoleProgress bar = new ConsoleProgress(new PrintStream(tty, true, StandardCharsets.UTF_8), true);
        for (int i = 1; i <= 50; i++) {
            bar.progress("embed", i, 50, null);
        }
        String t = tty.toString(StandardCharsets.UTF_8);
        assertEquals(1, t.chars().filter(c -> c == '\n').count(), "one line, finished once");
        assertTrue(t.startsWith("\rembed [....."), t);
        assertTrue(t.endsWith("embed [############################] 50/50 100%\n"), t);
        assertEquals("stage 7", ConsoleProgress.render("stage", 7, -1, null));
    }
}
