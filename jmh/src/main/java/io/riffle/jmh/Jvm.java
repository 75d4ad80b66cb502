package io.riffle.jmh;

/** JVM flags every benchmark fork needs; kept here so each {@code @Fork} names them once. */
public final class Jvm {
    /** Arrow reads direct buffers' addresses through java.nio internals, closed by default on JDK 17+. */
    public static final String ADD_OPENS = "--add-opens=java.base/java.nio=ALL-UNNAMED";

    private Jvm() {
    }
}
