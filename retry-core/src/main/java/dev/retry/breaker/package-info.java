/**
 * Circuit breakers: closed, open, half-open, shared by name, lock-free on the closed path. Owns
 * the state machine and its admission API ({@code CircuitBreaker}), the closed state's counting
 * ({@code ClosedPhase}, {@code SlidingWindow}), which failures count ({@code FailureFilter}), and
 * what is announced to and adopted from a fleet ({@code BreakerLink}, {@code FleetExchange}).
 *
 * <p>May depend on: {@code dev.retry} (the rejection exception), {@code classify} (HTTP statuses),
 * {@code time}, {@code internal}. Never on {@code execution}: the executor puts a breaker in its
 * chain of attempt stages ({@code execution.BreakerStage}) through the admission API.
 */
@NullMarked
package dev.retry.breaker;

import org.jspecify.annotations.NullMarked;
