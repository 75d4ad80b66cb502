/**
 * The differential suite: each of Riffle's operators run beside Flink 2.2 on the same seeded, out-of-order input,
 * outputs compared as multisets ({@link io.riffle.baselines.differential.DifferentialTest}). A case is one
 * program written on both engines ({@link io.riffle.baselines.differential.DifferentialCase}); they are listed in
 * {@link io.riffle.baselines.differential.Cases}, and adding an operator is adding one there. How to run it,
 * what makes both engines' watermarks agree, and how to add a case: {@code docs/differential.md}.
 */
package io.riffle.baselines.differential;
