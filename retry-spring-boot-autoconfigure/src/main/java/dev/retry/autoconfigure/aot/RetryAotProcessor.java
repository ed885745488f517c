package dev.retry.autoconfigure.aot;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
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
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * What a native image needs to know ahead of time for retries and breakers to work: the annotated
 * methods and their fallbacks (invoked reflectively, or through method handles made by
 * reflection), the exception classes named in {@code retry-on}, {@code no-retry-on},
 * {@code record-on} and {@code ignore-on} (loaded by name at start-up) as the configuration known
 * at build time names them, the annotated classes a {@code @Bean} method makes behind the interface
 * it declares (see {@link CreatedClasses}), the {@code retryOnResult} predicates (made with their
 * no-argument constructor), the annotations themselves, and, for a bean that is an interface with
 * annotated methods, the JDK proxy of that interface that may be put around it.
 */
public final class RetryAotProcessor implements BeanFactoryInitializationAotProcessor {

	@Override
	public @Nullable BeanFactoryInitializationAotContribution processAheadOfTime(
			ConfigurableListableBeanFactory beanFactory) {
		Set<Method> methods = new LinkedHashSet<>();
		Set<Class<?>> predicates = new LinkedHashSet<>();
		Set<Class<?>> interfaces = new LinkedHashSet<>();
		ClassLoader classLoader = beanFactory.getBeanClassLoader();
		for (String name : beanFactory.getBeanDefinitionNames()) {
			Class<?> type = beanFactory.getType(name, false);
			if (type == null) {
				continue;
			}
			AnnotatedBeans.collect(type, methods, predicates, interfaces);
			if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
				// The bean method declares less than it makes: the classes it makes carry the annotations.
				Method beanMethod = beanMethod(beanFactory, name);
				if (beanMethod != null) {
					CreatedClasses.of(beanMethod, classLoader)
						.forEach((created) -> AnnotatedBeans.collect(created, methods, predicates, interfaces));
				}
			}
		}
		Set<TypeReference> exceptions = exceptionTypes(beanFactory.getBeanProvider(Environment.class).getIfAvailable(),
				classLoader);
		return (generationContext, code) -> register(generationContext.getRuntimeHints(), methods, predicates,
				interfaces, exceptions);
	}

	static void register(RuntimeHints hints, Set<Method> methods, Set<Class<?>> predicates, Set<Class<?>> interfaces,
			Set<TypeReference> exceptions) {
		hints.reflection().registerType(Retryable.class, MemberCategory.INVOKE_DECLARED_METHODS);
		hints.reflection().registerType(CircuitBreaker.class, MemberCategory.INVOKE_DECLARED_METHODS);
		methods.forEach((method) -> hints.reflection().registerMethod(method, ExecutableMode.INVOKE));
		predicates.forEach((predicate) -> hints.reflection().registerType(predicate,
				MemberCategory.INVOKE_DECLARED_CONSTRUCTORS));
		exceptions.forEach((exception) -> hints.reflection().registerType(exception));
		// The JDK proxy put around an interface bean that takes no advisors (a Feign client).
		interfaces.forEach((ifc) -> hints.proxies().registerJdkProxy(AopProxyUtils.completeJdkProxyInterfaces(ifc)));
	}

	/** The factory method that makes the bean, when a factory method does. */
	private static @Nullable Method beanMethod(ConfigurableListableBeanFactory beanFactory, String name) {
		try {
			return (beanFactory.getMergedBeanDefinition(name) instanceof RootBeanDefinition root)
					? root.getResolvedFactoryMethod() : null;
		}
		catch (BeansException ex) {
			return null;
		}
	}

	/**
	 * Every exception class named in the configuration known now, for every policy and breaker: by
	 * its class when it is on the class path at build time, so that {@code Outer.Inner} (which
	 * start-up loads as {@code Outer$Inner}) is registered under its binary name; by its name as
	 * written otherwise.
	 */
	private static Set<TypeReference> exceptionTypes(@Nullable Environment environment,
			@Nullable ClassLoader classLoader) {
		Set<TypeReference> types = new LinkedHashSet<>();
		for (String name : exceptionNames(environment)) {
			try {
				types.add(TypeReference.of(ClassUtils.forName(name, classLoader)));
			}
			catch (ClassNotFoundException | LinkageError ex) {
				types.add(TypeReference.of(name));
			}
		}
		return types;
	}

	private static Set<String> exceptionNames(@Nullable Environment environment) {
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
