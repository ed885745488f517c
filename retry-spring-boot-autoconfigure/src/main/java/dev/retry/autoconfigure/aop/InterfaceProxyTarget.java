package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;

/**
 * The end of the chain of a proxy put around a JDK proxy that could not take our advisors (a Feign
 * client, a {@code FactoryBean}'s own proxy, a frozen Spring proxy) or around a lambda: calls the
 * inner object with the method as it was invoked, and runs a {@code default} method on the outer
 * proxy itself, so that what the default method calls on {@code this} passes our interceptors too
 * (the inner proxy's handler would run it on the inner proxy, bypassing them). It never proceeds: a retry replaying
 * the chain after our interceptor ends here, whatever the method its interceptor was made for.
 */
final class InterfaceProxyTarget implements MethodInterceptor {

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Method method = invocation.getMethod();
		if (method.isDefault() && invocation instanceof ProxyMethodInvocation proxied) {
			return DefaultMethods.invoke(method, proxied.getProxy(), invocation.getArguments());
		}
		return AopUtils.invokeJoinpointUsingReflection(invocation.getThis(), method, invocation.getArguments());
	}

}
