/**
 * Runnable examples of syscall hooks: a path deny-list, fault injection, redirection of an open,
 * and per-file byte counting. Each can be named with {@code jpoline run --hooks CLASS}, and each is tested against {@link dev.jpoline.api.hooks.SimulatedCall}.
 */
package dev.jpoline.examples;
