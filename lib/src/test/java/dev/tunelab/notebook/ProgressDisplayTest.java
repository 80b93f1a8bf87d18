package dev.tunelab.notebook;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressDisplayTest {
    /** Records displays and updates like a kernel with display ids. */
    static final class Recording implements DisplayBackend {
        final List<String> events = new ArrayList<>();
        final List<MimeBundle> bundles = new ArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public String display(MimeBundle bundle) {
            events.add("display");
            bundles.add(bundle);
            return "id-1";
        }

        @Override
        public boolean canUpdate() {
            return true;
        }

        @Override
        public void update(String displayId, MimeBundle bundle) {
            events.add("update " + displayId);
            bundles.add(bundle);
        }
    }

    @Test
    void updatesOneOutputInPlaceThrottledByTime() {
        Recording backend = new Recording();
        AtomicLong now = new AtomicLong(1000);
        ProgressDisplay p = new ProgressDisplay(backend, System.out, now::get, 250);
        p.progress("train", 0, 40, "loss 2.1");
        now.addAndGet(100);
        p.progress("train", 1, 40, "loss 2.0");            // too soon: skipped
        now.addAndGet(200);
        p.progress("train", 2, 40, "loss 1.9");            // 300 ms after the last shown
        p.progress("eval", 0, 10, "");                     // a new stage is always shown
        p.progress("eval", 10, 10, "done");                // completion is always shown

        assertEquals(List.of("display", "update id-1", "update id-1", "update id-1"), backend.events);
        assertEquals("train: 0/40 (0%) loss 2.1", backend.bundles.get(0).plainText());
        assertEquals("train: 2/40 (5%) loss 1.9", backend.bundles.get(1).plainText());
        assertEquals("eval: 10/10 (100%) done", backend.bundles.get(3).plainText());
        String html = backend.bundles.get(1).get(MimeBundle.HTML);
        assertTrue(html.contains("<progress value=\"2\" max=\"40\"></progress>"), html);
        assertTrue(html.contains("<b>train</b>"), html);
    }

    @Test
    void printsLinesWhereTheKernelCannotUpdate() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong();
        ProgressDisplay p = new ProgressDisplay(new ConsoleBackend(System.out),
                new PrintStream(bytes, true, StandardCharsets.UTF_8), now::get, 2000);
        for (int i = 0; i <= 100; i++) {
            now.addAndGet(100);
            p.progress("embed <docs>", i, 100, null);
        }
        p.progress("index", 5, -1, "unknown total");
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\\R");
        // shown at i=0, then every 2000 ms (20 steps of 100 ms): 20, 40, 60, 80, 100, then the new stage
        assertEquals(List.of("embed <docs>: 0/100 (0%)", "embed <docs>: 20/100 (20%)", "embed <docs>: 40/100 (40%)",
                "embed <docs>: 60/100 (60%)", "embed <docs>: 80/100 (80%)", "embed <docs>: 100/100 (100%)",
                "index: 5 unknown total"), List.of(lines));
    }

    @Test
    void htmlIsEscaped() {
        String html = ProgressDisplay.html("a<b", 1, 2, "x&y");
        assertTrue(html.contains("<b>a&lt;b</b>"), html);
        assertTrue(html.contains("1/2 (50%) x&amp;y"), html);
    }
}
