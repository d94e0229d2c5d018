package io.distill4j.experiment;

import io.distill4j.api.EpochReport;
import io.distill4j.data.features.PreparedData;
import io.distill4j.train.PhaseTimes;
import io.distill4j.train.TeacherCache;
import io.distill4j.eval.FeatureSimilarity;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Follows one trial inside the {@link TrialExecutor}: every side effect of a trial (tracking, model export, progress)
 * is a listener, so the executor itself only computes. Calls for one trial come from the thread that runs it, in the
 * order declared here; listeners shared by several trials must be thread-safe.
 */
public interface TrialListener {
    /** The trial begins (before its data is prepared). */
    default void trialStarted(Trial trial) {
    }

    /** The trial's data is prepared (the same object for every trial on the same data). */
    default void dataReady(Trial trial, PreparedData data) {
    }

    /** Facts about how the trial is set up, as run parameters and tags (e.g. the loss, the teacher's cache key). */
    default void described(Trial trial, Map<String, String> params, Map<String, String> tags) {
    }

    /** One epoch of the trial's network (or of an ensemble member, see {@link EpochReport#scope()}). */
    default void epochFinished(Trial trial, EpochReport report) {
    }

    /** A teacher trial's teacher is trained or read from the cache, with its outputs. */
    default void teacherReady(Trial trial, TeacherCache.Entry entry) {
    }

    /** A student trial's student is trained; {@code deployable} is the exportable graph (no training heads). */
    default void studentTrained(Trial trial, ComputationGraph deployable) {
    }

    /**
     * A student trial's representations were compared with its teacher's on the test split (linear CKA per layer
     * pair, projected cosine per head); only when the trial evaluates the test split.
     */
    default void featuresCompared(Trial trial, FeatureSimilarity similarity) {
    }

    /** The trial succeeded. */
    default void trialFinished(TrialResult result) {
    }

    /** The trial failed; {@code result} carries the reason. */
    default void trialFailed(TrialResult result, RuntimeException error) {
    }

    /** A listener that does nothing. */
    TrialListener NONE = new TrialListener() { };

    /**
     * {@code listener}, with the time of each of its calls added to {@code phase} of {@link PhaseTimes} (the
     * benchmark's breakdown of a trial).
     */
    static TrialListener timed(TrialListener listener, PhaseTimes.Phase phase) {
        return (TrialListener) java.lang.reflect.Proxy.newProxyInstance(TrialListener.class.getClassLoader(),
                new Class<?>[] {TrialListener.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(listener, args);
                    }
                    long started = System.nanoTime();
                    try {
                        return method.invoke(listener, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        PhaseTimes.since(phase, started);
                    }
                });
    }

    /** All of {@code listeners}, called in list order. */
    static TrialListener all(List<? extends TrialListener> listeners) {
        List<TrialListener> copy = List.copyOf(listeners);
        return new TrialListener() {
            @Override
            public void trialStarted(Trial trial) {
                copy.forEach(l -> l.trialStarted(trial));
            }

            @Override
            public void dataReady(Trial trial, PreparedData data) {
                copy.forEach(l -> l.dataReady(trial, data));
            }

            @Override
            public void described(Trial trial, Map<String, String> params, Map<String, String> tags) {
                copy.forEach(l -> l.described(trial, params, tags));
            }

            @Override
            public void epochFinished(Trial trial, EpochReport report) {
                copy.forEach(l -> l.epochFinished(trial, report));
            }

            @Override
            public void teacherReady(Trial trial, TeacherCache.Entry entry) {
                copy.forEach(l -> l.teacherReady(trial, entry));
            }

            @Override
            public void studentTrained(Trial trial, ComputationGraph deployable) {
                copy.forEach(l -> l.studentTrained(trial, deployable));
            }

            @Override
            public void featuresCompared(Trial trial, FeatureSimilarity similarity) {
                copy.forEach(l -> l.featuresCompared(trial, similarity));
            }

            @Override
            public void trialFinished(TrialResult result) {
                copy.forEach(l -> l.trialFinished(result));
            }

            @Override
            public void trialFailed(TrialResult result, RuntimeException error) {
                copy.forEach(l -> l.trialFailed(result, error));
            }
        };
    }
}
