package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.function.Predicate;

import org.springframework.aop.Advisor;
import org.springframework.aop.PointcutAdvisor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.AopUtils;
import org.springframework.data.repository.core.support.RepositoryComposition;
import org.springframework.data.repository.core.support.RepositoryFactoryInformation;
import org.springframework.data.repository.core.support.RepositoryFragment;

/**
 * The methods of a Spring Data repository whose calls its proxy hands to a custom fragment (a class
 * of the application implementing a fragment interface, {@code AuditImpl} for {@code Audit}) that
 * is a bean with our interceptors in front of it already: the fragment's bean is intercepted where
 * its code runs, so intercepting the repository's method too would nest one retry in another
 * (three attempts each making three). Loaded only when Spring Data is on the class path.
 */
final class RepositoryFragments {

	private RepositoryFragments() {
	}

	/**
	 * @param factory the factory bean that made the repository
	 * @return which methods of the repository are intercepted in its fragments; none when the
	 * factory is not a repository's
	 */
	static Predicate<Method> interceptedInFragments(Object factory) {
		if (!(factory instanceof RepositoryFactoryInformation<?, ?> information)) {
			return (method) -> false;
		}
		RepositoryComposition composition;
		try {
			composition = information.getRepositoryInformation().getRepositoryComposition();
		}
		catch (RuntimeException ex) {
			// Not made yet, or made its own way: its calls are intercepted on the repository.
			return (method) -> false;
		}
		return (method) -> {
			for (RepositoryFragment<?> fragment : composition.getFragments()) {
				if (fragment.hasMethod(method)) {
					return fragment.getImplementation().filter((implementation) -> intercepts(implementation, method))
						.isPresent();
				}
			}
			return false;
		};
	}

	/** Whether one of our interceptors is in front of the method on the object. */
	private static boolean intercepts(Object implementation, Method method) {
		if (!(implementation instanceof Advised advised)) {
			return false;
		}
		Class<?> targetClass = AopUtils.getTargetClass(implementation);
		return Arrays.stream(advised.getAdvisors())
			.filter((advisor) -> advisor.getAdvice() instanceof RetryMethodInterceptor)
			.map(Advisor.class::cast)
			.anyMatch((advisor) -> advisor instanceof PointcutAdvisor pointcut
					&& pointcut.getPointcut().getMethodMatcher().matches(method, targetClass));
	}

}
