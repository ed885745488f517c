package dev.retry.autoconfigure.aop;

import dev.retry.event.CallObserver;
import kotlin.coroutines.AbstractCoroutineContextElement;
import kotlin.coroutines.Continuation;
import kotlin.coroutines.CoroutineContext;
import kotlinx.coroutines.ThreadContextElement;
import kotlinx.coroutines.reactor.ReactorContext;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;

/**
 * The attempt of a Kotlin {@code suspend fun} current wherever its body runs. Spring runs the body
 * as a coroutine in the caller's context (its dispatcher, not the thread that subscribes the
 * attempt) and it resumes after each suspension on whatever thread the dispatcher picks: the
 * attempt (its observation, its MDC fields) is made current around each stretch the body runs, as
 * Micrometer does for observations, from the attempt its Reactor subscription carries. Used only
 * for suspend functions, so Kotlin need not be on the class path otherwise.
 */
final class SuspendingAttempts extends AbstractCoroutineContextElement
		implements ThreadContextElement<CallObserver.@Nullable Scope> {

	private static final CoroutineContext.Key<SuspendingAttempts> KEY = new CoroutineContext.Key<>() {
	};

	private static final SuspendingAttempts INSTANCE = new SuspendingAttempts();

	private SuspendingAttempts() {
		super(KEY);
	}

	/**
	 * Has the method's coroutine carry its attempts: Spring's proxy runs it in the context of the
	 * continuation it is passed last, which gets this element; the proxy itself still awaits the
	 * answer with the caller's own continuation (the invocation gets a copy of the arguments).
	 */
	static void carriedBy(MethodInvocation invocation) {
		Object[] arguments = invocation.getArguments();
		if (!(invocation instanceof ProxyMethodInvocation proxyInvocation) || arguments.length == 0
				|| !(arguments[arguments.length - 1] instanceof Continuation<?> caller)) {
			return;
		}
		Object[] carrying = arguments.clone();
		carrying[carrying.length - 1] = new Carrying<>(caller);
		proxyInvocation.setArguments(carrying);
	}

	@Override
	public CallObserver.@Nullable Scope updateThreadContext(CoroutineContext context) {
		ReactorContext reactor = context.get(ReactorContext.Key);
		Object attempt = (reactor != null)
				? reactor.getContext().getOrDefault(CallObserver.ObservedAttempt.class, null) : null;
		return (attempt instanceof CallObserver.ObservedAttempt observed) ? observed.open() : null;
	}

	@Override
	public void restoreThreadContext(CoroutineContext context, CallObserver.@Nullable Scope scope) {
		if (scope != null) {
			scope.close();
		}
	}

	/** The caller's continuation, with this element in its context. */
	private static final class Carrying<T> implements Continuation<T> {

		private final Continuation<T> caller;

		private final CoroutineContext context;

		Carrying(Continuation<T> caller) {
			this.caller = caller;
			this.context = caller.getContext().plus(INSTANCE);
		}

		@Override
		public CoroutineContext getContext() {
			return this.context;
		}

		@Override
		public void resumeWith(Object result) {
			this.caller.resumeWith(result);
		}

	}

}
