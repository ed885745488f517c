package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;

import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;

/** Matches one method (and the interface or superclass methods it implements). */
final class SingleMethodPointcut extends StaticMethodMatcherPointcut {

	private final Method method;

	SingleMethodPointcut(Method method) {
		this.method = method;
	}

	@Override
	public boolean matches(Method candidate, Class<?> targetClass) {
		return candidate.equals(this.method) || AopUtils.getMostSpecificMethod(candidate, targetClass).equals(this.method);
	}

	/** Equal for equal methods, so that every instance of a prototype bean shares one proxy class. */
	@Override
	public boolean equals(Object other) {
		return other instanceof SingleMethodPointcut pointcut && this.method.equals(pointcut.method);
	}

	@Override
	public int hashCode() {
		return this.method.hashCode();
	}

}
