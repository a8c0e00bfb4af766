/**
 * Benchmarks. Run them with {@code bench/run}; they report ratios against the raw program
 * measured in the same run, because this machine is shared and noisy.
 */
package dev.jpoline.bench;
