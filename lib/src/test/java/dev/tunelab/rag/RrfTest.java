package dev.tunelab.rag;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RrfTest {
    /** Hand-computed with k = 60: a = 1/61 + 1/62, c = 1/63 + 1/61, b = 1/62, d = 1/63. */
    @Test
    void fusesByReciprocalRank() {
        List<Scored> fused = Rrf.fuse(List.of(List.of("a", "b", "c"), List.of("c", "a", "d")));
        assertEquals(List.of("a", "c", "b", "d"), fused.stream().map(Scored::id).toList());
        assertEquals(0.0325224748810153, fused.get(0).score(), 1e-15);
        assertEquals(0.0322664584959667, fused.get(1).score(), 1e-15);
        assertEquals(0.0161290322580645, fused.get(2).score(), 1e-15);
        assertEquals(0.0158730158730159, fused.get(3).score(), 1e-15);
    }

    @Test
    void weightsScaleEachList() {
        // k = 1, weights 1 and 2: a = 1/(1+1) + 2/(1+2) ≈ 1.1667, b = 2/(1+1) = 1.0.
        List<Scored> fused = Rrf.fuse(List.of(List.of("a"), List.of("b", "a")), new double[] {1, 2}, 1);
        assertEquals("a", fused.get(0).id());
        assertEquals(0.5 + 2.0 / 3, fused.get(0).score(), 1e-15);
        assertEquals(1.0, fused.get(1).score(), 1e-15);
    }
}
