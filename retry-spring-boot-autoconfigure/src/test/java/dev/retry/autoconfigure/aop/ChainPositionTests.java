package dev.retry.autoconfigure.aop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.framework.ReflectiveMethodInvocation;

import static org.assertj.core.api.Assertions.assertThat;

/** Which interceptor of a Spring proxy's chain is the last one before the target. */
class ChainPositionTests {

	@Test
	void onlyTheLastInterceptorOfTheChainIsTheLast() {
		List<String> seen = new CopyOnWriteArrayList<>();
		ProxyFactory factory = new ProxyFactory(new Greeter());
		factory.setProxyTargetClass(true);
		factory.addAdvice(recorder("outer", seen));
		factory.addAdvice(recorder("middle", seen));
		factory.addAdvice(recorder("inner", seen));
		Greeter proxy = (Greeter) factory.getProxy();

		assertThat(proxy.greet("you")).isEqualTo("hello you");
		assertThat(seen).containsExactly("outer last=false", "middle last=false", "inner last=true");
	}

	@Test
	void anInvocationOfAnotherClassIsNeverTakenForTheLast() throws Throwable {
		Greeter target = new Greeter();
		ReflectiveMethodInvocation subclassed = new ReflectiveMethodInvocation(target, target,
				Greeter.class.getMethod("greet", String.class), new Object[] { "you" }, Greeter.class, List.of()) {
		};
		assertThat(ChainPosition.isLast(subclassed)).isFalse();
	}

	private static MethodInterceptor recorder(String name, List<String> seen) {
		return (invocation) -> {
			seen.add(name + " last=" + ChainPosition.isLast(invocation));
			return invocation.proceed();
		};
	}

	public static class Greeter {

		public String greet(String name) {
			return "hello " + name;
		}

	}

}
