package io.distill4j.tracking;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * The keys of one run (one instance per run and per kind: params, tags or metrics), made collision-free:
 * {@link MlflowKeys#sanitise(String)} maps awkward keys onto valid ones, and two different raw keys may map to the
 * same one ({@code loss(val)} and {@code loss[val]} both become {@code loss_val_}). The first raw key to claim a
 * sanitised key keeps it; a later, different raw key gets a suffix {@code _} + the first 8 hex digits of the
 * SHA-256 of the raw key (deterministic: the same raw key always gets the same suffix), shortened in front if the
 * result would exceed {@value MlflowKeys#MAX_KEY_LENGTH} characters. Thread-safe.
 */
public final class RunKeys {
    private final Map<String, String> byRaw = new HashMap<>();
    private final Map<String, String> owner = new HashMap<>();

    /** The key {@code raw} is recorded under in this run. */
    public synchronized String key(String raw) {
        String known = byRaw.get(raw);
        if (known != null) {
            return known;
        }
        String k = MlflowKeys.sanitise(raw);
        String taken = owner.get(k);
        if (taken != null && !taken.equals(raw)) {
            String suffix = "_" + hash8(raw);
            String base = k.length() + suffix.length() > MlflowKeys.MAX_KEY_LENGTH
                    ? k.substring(0, MlflowKeys.MAX_KEY_LENGTH - suffix.length()) : k;
            k = MlflowKeys.sanitise(base + suffix);
            taken = owner.get(k);
            if (taken != null && !taken.equals(raw)) {
                throw new IllegalArgumentException("keys '" + raw + "' and '" + taken + "' both map to '" + k + "'");
            }
        }
        owner.put(k, raw);
        byRaw.put(raw, k);
        return k;
    }

    /** Marks {@code key} as used by itself (a key already in the store, e.g. a tag set at run creation). */
    public synchronized void reserve(String key) {
        owner.putIfAbsent(key, key);
        byRaw.putIfAbsent(key, key);
    }

    static String hash8(String raw) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
