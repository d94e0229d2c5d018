package io.distill4j.data;

import io.distill4j.Distill4jException;

/** Bad market data: the message names the file (or source), the row where known, and the problem. */
public final class DataException extends Distill4jException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
