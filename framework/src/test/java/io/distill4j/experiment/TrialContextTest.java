package io.distill4j.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distill4j.eval.Cka;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What trials of one process share: here, the teacher layers prepared for CKA. */
class TrialContextTest {
    @TempDir
    Path dir;

    private static final double[][] TEACHER = {{1, 0, 2}, {0, 1, 1}, {3, 1, 0}, {1, 2, 2}, {0, 0, 1}};
    private static final double[][] STUDENT = {{0.5, 1}, {1, 0}, {2, 2}, {0, 1}, {1, 1}};

    private static Supplier<INDArray> counting(AtomicInteger reads, double[][] values) {
        return () -> {
            reads.incrementAndGet();
            return Nd4j.createFromArray(values);
        };
    }

    @Test
    void aTeacherLayerIsReadAndPreparedOnceForEveryTrialThatComparesWithIt() {
        TrialContext context = TrialContext.at(dir, EvaluationScope.VALIDATION_AND_TEST, "cpu");
        AtomicInteger reads = new AtomicInteger();
        Cka.Layer first = context.teacherCkaLayer("teacher-a", "hidden_0", counting(reads, TEACHER));
        Cka.Layer second = context.teacherCkaLayer("teacher-a", "hidden_0", counting(reads, TEACHER));
        assertSame(first, second);
        assertEquals(1, reads.get());
        // the prepared layer gives what a fresh one gives
        Cka.Layer student = Cka.layer(Nd4j.createFromArray(STUDENT));
        assertEquals(Cka.linear(Nd4j.createFromArray(TEACHER), Nd4j.createFromArray(STUDENT)),
                Cka.linear(second, student), 0.0);
        // another layer or another teacher is another entry
        context.teacherCkaLayer("teacher-a", "logits", counting(reads, TEACHER));
        context.teacherCkaLayer("teacher-b", "hidden_0", counting(reads, TEACHER));
        assertEquals(3, reads.get());
    }

    @Test
    void onlyTheMostRecentlyUsedTeacherLayersAreKept() {
        TrialContext context = TrialContext.at(dir, EvaluationScope.VALIDATION_AND_TEST, "cpu");
        AtomicInteger reads = new AtomicInteger();
        context.teacherCkaLayer("t", "kept", counting(reads, TEACHER));
        for (int i = 0; i < TrialContext.TEACHER_CKA_LAYERS; i++) {
            context.teacherCkaLayer("t", "layer " + i, counting(reads, TEACHER));
            context.teacherCkaLayer("t", "kept", counting(reads, TEACHER)); // used again: the most recent
        }
        assertEquals(1 + TrialContext.TEACHER_CKA_LAYERS, reads.get());
        context.teacherCkaLayer("t", "layer 0", counting(reads, TEACHER)); // the eldest: dropped, read again
        assertEquals(2 + TrialContext.TEACHER_CKA_LAYERS, reads.get());
    }

    @Test
    void concurrentTrialsWaitForOnePreparationAndAFailureIsNotKept() throws Exception {
        TrialContext context = TrialContext.at(dir, EvaluationScope.VALIDATION_AND_TEST, "cpu");
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Cka.Layer> slow = pool.submit(() -> context.teacherCkaLayer("t", "h", () -> {
                reads.incrementAndGet();
                reading.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return Nd4j.createFromArray(TEACHER);
            }));
            reading.await();
            Future<Cka.Layer> waiting = pool.submit(() -> context.teacherCkaLayer("t", "h", counting(reads, TEACHER)));
            release.countDown();
            assertSame(slow.get(), waiting.get());
            assertEquals(1, reads.get());
        } finally {
            pool.shutdownNow();
        }
        assertThrows(IllegalStateException.class, () -> context.teacherCkaLayer("t", "bad", () -> {
            throw new IllegalStateException("unreadable cache file");
        }));
        context.teacherCkaLayer("t", "bad", counting(reads, TEACHER));
        assertEquals(2, reads.get());
    }
}
