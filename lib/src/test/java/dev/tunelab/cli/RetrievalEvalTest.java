package dev.tunelab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class RetrievalEvalTest {
    record Run(int code, String out, String err) {}

    static Run run(String... argv) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(argv);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void retrievalStrategyPrintsRecallAndMrr(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("qa.jsonl");
        Files.writeString(data, String.join("\n",
                "{\"q\": \"How do eye drops treat glaucoma?\", \"a\": \"Glaucoma is treated with eye drops that lower eye pressure.\", \"topic\": \"eyes\"}",
                "{\"q\": \"What helps control blood sugar in diabetes?\", \"a\": \"Diet, exercise and insulin keep blood glucose in range.\", \"topic\": \"diabetes\"}",
                "{\"q\": \"How can I avoid catching the flu?\", \"a\": \"A yearly influenza vaccine and hand washing prevent the flu.\", \"topic\": \"flu\"}",
                "{\"q\": \"Why do bones break easily in osteoporosis?\", \"a\": \"Osteoporosis makes bones thin and fragile, so they fracture.\", \"topic\": \"bones\"}"));
        Path out = dir.resolve("res.json");
        Run r = run("eval", "--strategy", "retrieval", "--data", data.toString(), "--query-field", "q",
                "--doc-field", "a", "--group-field", "topic", "--k", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("recall@1: 1.0000"), r.out());
        assertTrue(r.out().contains("mrr: 1.0000"), r.out());
        assertTrue(r.out().contains("topic_recall@1: 1.0000"), r.out());
        assertTrue(Files.readString(out).contains("\"recall@1\" : 1.0"));

        Run bad = run("eval", "--strategy", "retrieval", "--data", data.toString(), "--query-field", "q",
                "--doc-field", "answer", "--k", "1");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("no column 'answer'") && bad.err().contains("qa.jsonl"), bad.err());
    }
}
