package io.riffle.columnar.hash;

/**
 * An off-heap structure needed more memory than its budget allows. The structure is left as it was
 * before the operation that failed: no group half-inserted, no accumulator half-updated.
 */
public final class MemoryBudgetExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long requestedBytes;
    private final long budgetBytes;

    public MemoryBudgetExceededException(String message, long requestedBytes, long budgetBytes) {
        super(message);
        this.requestedBytes = requestedBytes;
        this.budgetBytes = budgetBytes;
    }

    /** The total bytes the structure would have held had the operation gone on. */
    public long requestedBytes() {
        return requestedBytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }
}
