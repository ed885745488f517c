package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;

import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.BridgeMethodResolver;

/**
 * Matches one method, the interface or superclass methods it implements (of the class it was read
 * from, {@code owner}, as well as of the proxy's target class, which differ when a proxy is put
 * around another proxy), and the bridge methods the compiler made for it.
 */
final class SingleMethodPointcut extends StaticMethodMatcherPointcut {

	private final Class<?> owner;

	private final Method method;

	SingleMethodPointcut(Class<?> owner, Method method) {
		this.owner = owner;
		this.method = method;
	}

	@Override
	public boolean matches(Method called, Class<?> targetClass) {
		// A call through a super-interface of a method redeclared with its type arguments
		// (CrudRepository.save(Object) for StockRepository.save(Stock)) arrives as the bridge.
		Method candidate = called.isBridge() ? BridgeMethodResolver.findBridgedMethod(called) : called;
		return candidate.equals(this.method) || AopUtils.getMostSpecificMethod(candidate, targetClass).equals(this.method)
				|| (!this.owner.isInterface() && AopUtils.getMostSpecificMethod(candidate, this.owner).equals(this.method));
	}

	/** Equal for equal methods, so that every instance of a prototype bean shares one proxy class. */
	@Override
	public boolean equals(Object other) {
		return other instanceof SingleMethodPointcut pointcut && this.method.equals(pointcut.method)
				&& this.owner.equals(pointcut.owner);
	}

	@Override
	public int hashCode() {
		return this.method.hashCode();
	}

}
