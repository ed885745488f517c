package dev.retry.autoconfigure.aot;

import java.lang.reflect.Method;
import java.util.LinkedHashSet;
import java.util.Set;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.aop.AnnotatedBeans;
import dev.retry.autoconfigure.config.RetryProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.TypeReference;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * What a native image needs to know ahead of time for retries and breakers to work: the annotated
 * methods and their fallbacks (invoked reflectively, or through method handles made by
 * reflection), the exception classes named in {@code retry-on}, {@code no-retry-on},
 * {@code record-on} and {@code ignore-on} (loaded by name at start-up) as the configuration known
 * at build time names them, the {@code retryOnResult} predicates (made with their no-argument
 * constructor), the annotations themselves, and, for a bean that is an interface with annotated
 * methods, the JDK proxy of that interface that may be put around it.
 */
public final class RetryAotProcessor implements BeanFactoryInitializationAotProcessor {

	@Override
	public @Nullable BeanFactoryInitializationAotContribution processAheadOfTime(
			ConfigurableListableBeanFactory beanFactory) {
		Set<Method> methods = new LinkedHashSet<>();
		Set<Class<?>> predicates = new LinkedHashSet<>();
		Set<Class<?>> interfaces = new LinkedHashSet<>();
		for (String name : beanFactory.getBeanDefinitionNames()) {
			Class<?> type = beanFactory.getType(name, false);
			if (type != null) {
				AnnotatedBeans.collect(type, methods, predicates, interfaces);
			}
		}
		Set<String> exceptions = exceptionTypes(beanFactory.getBeanProvider(Environment.class).getIfAvailable());
		return (generationContext, code) -> register(generationContext.getRuntimeHints(), methods, predicates,
				interfaces, exceptions);
	}

	static void register(RuntimeHints hints, Set<Method> methods, Set<Class<?>> predicates, Set<Class<?>> interfaces,
			Set<String> exceptions) {
		hints.reflection().registerType(Retryable.class, MemberCategory.INVOKE_DECLARED_METHODS);
		hints.reflection().registerType(CircuitBreaker.class, MemberCategory.INVOKE_DECLARED_METHODS);
		methods.forEach((method) -> hints.reflection().registerMethod(method, ExecutableMode.INVOKE));
		predicates.forEach((predicate) -> hints.reflection().registerType(predicate,
				MemberCategory.INVOKE_DECLARED_CONSTRUCTORS));
		exceptions.forEach((exception) -> hints.reflection().registerType(TypeReference.of(exception)));
		// The JDK proxy put around an interface bean that takes no advisors (a Feign client).
		interfaces.forEach((ifc) -> hints.proxies().registerJdkProxy(AopProxyUtils.completeJdkProxyInterfaces(ifc)));
	}

	/** Every exception class named in the configuration known now, for every policy and breaker. */
	private static Set<String> exceptionTypes(@Nullable Environment environment) {
		Set<String> names = new LinkedHashSet<>();
		if (environment == null) {
			return names;
		}
		RetryProperties properties = Binder.get(environment).bindOrCreate("retry", RetryProperties.class);
		collect(properties.getDefaults(), names);
		properties.getPolicies().values().forEach((policy) -> collect(policy, names));
		properties.getCircuitBreakers().values().forEach((breaker) -> {
			breaker.getRecordOn().forEach((name) -> names.add(name.trim()));
			breaker.getIgnoreOn().forEach((name) -> names.add(name.trim()));
		});
		return names;
	}

	private static void collect(RetryProperties.Policy policy, Set<String> names) {
		policy.getRetryOn().forEach((name) -> names.add(name.trim()));
		policy.getNoRetryOn().forEach((name) -> names.add(name.trim()));
	}

}
