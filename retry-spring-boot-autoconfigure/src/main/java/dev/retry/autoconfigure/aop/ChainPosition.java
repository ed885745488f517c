package dev.retry.autoconfigure.aop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ReflectiveMethodInvocation;

/**
 * Where an interceptor stands in the chain of a Spring proxy's invocation: read from
 * {@link ReflectiveMethodInvocation}'s own fields, which say which interceptor runs and how many
 * there are. Where they cannot be read (another Spring version, a module that does not open its
 * package), nothing is known and every answer is {@code false}.
 */
final class ChainPosition {

	private static final @Nullable VarHandle INDEX;

	private static final @Nullable VarHandle CHAIN;

	static {
		VarHandle index = null;
		VarHandle chain = null;
		try {
			MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ReflectiveMethodInvocation.class,
					MethodHandles.lookup());
			index = lookup.findVarHandle(ReflectiveMethodInvocation.class, "currentInterceptorIndex", int.class);
			chain = lookup.findVarHandle(ReflectiveMethodInvocation.class, "interceptorsAndDynamicMethodMatchers",
					List.class);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			index = null;
			chain = null;
		}
		INDEX = index;
		CHAIN = chain;
	}

	private ChainPosition() {
	}

	/**
	 * Whether the interceptor now running is the last of the invocation's chain, so that
	 * {@code proceed()} would call the target and nothing else. Only for Spring's own invocation
	 * class: a subclass may call its target another way.
	 */
	static boolean isLast(MethodInvocation invocation) {
		VarHandle index = INDEX;
		VarHandle chain = CHAIN;
		if (index == null || chain == null || invocation.getClass() != ReflectiveMethodInvocation.class) {
			return false;
		}
		return (int) index.get(invocation) == ((List<?>) chain.get(invocation)).size() - 1;
	}

}
