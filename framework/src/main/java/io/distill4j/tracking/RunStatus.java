package io.distill4j.tracking;

/** Run status with MLflow's numeric codes, as stored in the {@code status} field of a run's {@code meta.yaml}. */
public enum RunStatus {
    RUNNING(1),
    SCHEDULED(2),
    FINISHED(3),
    FAILED(4),
    KILLED(5);

    private final int code;

    RunStatus(int code) {
        this.code = code;
    }

    /** MLflow's numeric code for this status. */
    public int code() {
        return code;
    }

    /** Whether a run in this status has ended (FINISHED, FAILED or KILLED). */
    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == KILLED;
    }

    /** The status with MLflow's numeric {@code code}. */
    public static RunStatus fromCode(int code) {
        for (RunStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown MLflow run status code " + code);
    }
}
