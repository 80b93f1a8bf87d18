package dev.tunelab.rag;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/** Runs {@code parts} independent tasks on a pool of a fixed thread count (pools are shared per count). */
final class Parallel {
    private static final Map<Integer, ForkJoinPool> POOLS = new ConcurrentHashMap<>();

    private Parallel() {}

    static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    static void forEach(int parts, int threads, IntConsumer task) {
        if (parts <= 1 || threads <= 1) {
            for (int i = 0; i < parts; i++) {
                task.accept(i);
            }
            return;
        }
        ForkJoinPool pool = POOLS.computeIfAbsent(threads, t -> new ForkJoinPool(t,
                p -> {
                    var w = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
                    w.setDaemon(true);
                    w.setName("tunelab-rag-" + w.getPoolIndex());
                    return w;
                }, null, false));
        pool.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                RecursiveAction[] actions = new RecursiveAction[parts];
                for (int i = 0; i < parts; i++) {
                    int part = i;
                    actions[i] = new RecursiveAction() {
                        @Override
                        protected void compute() {
                            task.accept(part);
                        }
                    };
                }
                invokeAll(actions);
            }
        });
    }
}
