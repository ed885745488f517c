/**
 * Running a call under a policy: the executor and the current-attempt context.
 */
@NullMarked
package dev.retry.execution;

import org.jspecify.annotations.NullMarked;
