package dev.tunelab.rag;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class Bm25IndexTest {
    static Path medquad() {
        return Path.of(System.getProperty("tunelab.repo"), "..", "shared", "datasets", "medquad",
                "medquad_seniorhealth_cdc.jsonl");
    }

    /** An independent BM25 (plain Python dictionaries, no shared code) must give the same scores. */
    @Test
    void scoresEqualAnIndependentPythonBm25(@TempDir Path dir) throws Exception {
        ObjectMapper om = new ObjectMapper();
        List<String> lines = Files.readAllLines(medquad());
        List<String> docs = new ArrayList<>();
        List<String> queries = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Map<?, ?> row = om.readValue(lines.get(i), Map.class);
            docs.add((String) row.get("answer"));
            if (i % 10 == 0) {
                queries.add((String) row.get("question"));
            }
        }
        for (boolean stop : new boolean[] {false, true}) {
            Bm25Index index = new Bm25Index(stop ? TextTerms.english() : TextTerms.plain(), 1.2, 0.75);
            for (int i = 0; i < docs.size(); i++) {
                index.add("d" + i, docs.get(i));
            }
            Files.writeString(dir.resolve("in.json"), om.writeValueAsString(Map.of("docs", docs, "queries", queries,
                    "stop", stop ? List.copyOf(TextTerms.ENGLISH_STOPWORDS) : List.of())));
            String out = Py.run(dir, String.join("\n",
                    "import json, math, sys",
                    "data = json.load(open(sys.argv[1]))",
                    "stop = set(data['stop'])",
                    "def toks(s):",
                    "    out, cur = [], ''",
                    "    for ch in s.lower() + ' ':",
                    "        if ch.isalnum(): cur += ch",
                    "        else:",
                    "            if cur and cur not in stop: out.append(cur)",
                    "            cur = ''",
                    "    return out",
                    "D = [toks(d) for d in data['docs']]",
                    "N = len(D); avg = sum(len(d) for d in D) / N",
                    "df = {}",
                    "for d in D:",
                    "    for t in set(d): df[t] = df.get(t, 0) + 1",
                    "k1, b = 1.2, 0.75",
                    "for q in data['queries']:",
                    "    scores = []",
                    "    for d in D:",
                    "        s = 0.0",
                    "        for t in toks(q):",
                    "            tf = d.count(t)",
                    "            if tf == 0: continue",
                    "            idf = math.log(1 + (N - df[t] + 0.5) / (df[t] + 0.5))",
                    "            s += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avg))",
                    "        scores.append(s)",
                    "    print(' '.join(repr(s) for s in scores))"), dir.resolve("in.json").toString());
            String[] rows = out.split("\n");
            assertEquals(queries.size(), rows.length);
            int nonZero = 0;
            for (int q = 0; q < queries.size(); q++) {
                double[] ours = index.scores(queries.get(q));
                String[] ref = rows[q].trim().split(" ");
                for (int d = 0; d < docs.size(); d++) {
                    double r = Double.parseDouble(ref[d]);
                    assertEquals(r, ours[d], 1e-9 * Math.max(1, r), "query " + q + " doc " + d + " stop=" + stop);
                    nonZero += r > 0 ? 1 : 0;
                }
                List<Scored> top = index.search(queries.get(q), 3);
                assertEquals(ours[Integer.parseInt(top.get(0).id().substring(1))], top.get(0).score(), 1e-12);
                assertTrue(top.get(0).score() >= top.get(1).score() && top.get(1).score() >= top.get(2).score());
            }
            assertTrue(nonZero > 1000, "the comparison must cover many non-zero scores, got " + nonZero);
        }
    }

    @Test
    void termsAreLowercasedAlphanumericRunsWithOptionalStopwords() {
        assertEquals(List.of("what", "is", "are", "amd", "x2"), TextTerms.plain().terms("What is (are) AMD? x2"));
        assertEquals(List.of("amd", "x2"), TextTerms.english().terms("What is (are) AMD? x2"));
    }
}
