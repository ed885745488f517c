package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.aop.AnnotatedMethods.Unreachable;
import dev.retry.autoconfigure.config.RetryProperties.SelfInvocation;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.framework.ProxyProcessorSupport;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.SmartClassLoader;
import org.springframework.util.ClassUtils;

/**
 * Finds {@link Retryable} and {@link CircuitBreaker} methods on each bean as it is created and puts
 * one interceptor per method in front of them: added first to an existing Spring proxy (so retries
 * wrap transactions and the like), or in a new proxy. The annotations are read from the class the
 * bean's calls reach and, for a bean that is an interface proxy (an HTTP service client, a Spring
 * Data repository, a Feign client, any {@code FactoryBean}'s JDK proxy), from each interface it is
 * called through that no class of the application implements. A JDK proxy that cannot take our
 * advisors (frozen, opaque, or not a Spring proxy at all) is wrapped in a JDK proxy of its
 * interfaces. Annotated methods no proxy reaches are reported at start-up, each with the fix that
 * works for that bean.
 */
public class RetryableBeanPostProcessor extends ProxyProcessorSupport
		implements BeanPostProcessor, SmartInitializingSingleton, BeanFactoryAware {

	private static final long serialVersionUID = 1L;

	private static final Log logger = LogFactory.getLog(RetryableBeanPostProcessor.class);

	private static final boolean SPRING_DATA_PRESENT = ClassUtils.isPresent(
			"org.springframework.data.repository.core.support.RepositoryFactoryInformation",
			RetryableBeanPostProcessor.class.getClassLoader());

	private final transient ObjectProvider<RetryInterceptorFactory> factory;

	/** Scans by type and by how the proxy reaches it, once each however many instances a bean has. */
	private final transient Map<ScanKey, AnnotatedMethods> scanned = new ConcurrentHashMap<>();

	private final SelfInvocation selfInvocation;

	/**
	 * With {@code self-invocation=fail}, the calls on this found while the singletons are created:
	 * start-up fails once they all are, listing every call in the application, not the first bean's.
	 */
	private final transient List<String> selfCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

	/** The example the fix names: the first class with a call on this. */
	private transient volatile @Nullable String selfCallClass;

	private volatile boolean singletonsCreated;

	/** Where the factory of a repository bean is found, or {@code null} outside a bean factory. */
	private transient @Nullable ConfigurableListableBeanFactory beanFactory;

	public RetryableBeanPostProcessor(ObjectProvider<RetryInterceptorFactory> factory) {
		this(factory, SelfInvocation.WARN);
	}

	/** @param selfInvocation what start-up does about calls on {@code this} to an annotated method */
	public RetryableBeanPostProcessor(ObjectProvider<RetryInterceptorFactory> factory, SelfInvocation selfInvocation) {
		this.factory = factory;
		this.selfInvocation = selfInvocation;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof ConfigurableListableBeanFactory listable) ? listable : null;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AopInfrastructureBean) {
			return bean;
		}
		List<AnnotatedMethods> found = annotatedMethods(bean, beanName);
		if (found.stream().allMatch((methods) -> methods.reachable().isEmpty())) {
			return bean;
		}
		RetryInterceptorFactory interceptors = this.factory.getObject();
		List<Advisor> advisors = new ArrayList<>();
		for (AnnotatedMethods methods : found) {
			methods.reachable()
				.forEach((method, annotations) -> advisors.add(new DefaultPointcutAdvisor(
						new SingleMethodPointcut(methods.owner(), method),
						interceptors.interceptor(methods.owner(), method, annotations))));
		}
		Object proxy = intercept(bean, advisors);
		found.forEach((methods) -> interceptors.proxied(methods.owner(), proxy));
		return proxy;
	}

	/**
	 * The annotated methods of the bean, per type they are read from: the class its calls reach,
	 * unless it is an interface proxy without one, and each interface of an interface proxy that
	 * the class does not implement.
	 */
	private List<AnnotatedMethods> annotatedMethods(Object bean, String beanName) {
		List<AnnotatedMethods> found = new ArrayList<>();
		Class<?> userClass = userClass(bean);
		List<Class<?>> interfaces = proxiedInterfaces(bean, userClass);
		if (userClass != null && AnnotatedMethods.isCandidate(userClass)) {
			found.add(scan(new ScanKey(userClass, interfaces), beanName));
		}
		if (isInterfaceOnly(bean)) {
			Predicate<Method> interceptedElsewhere = null;
			for (Class<?> ifc : interfaces) {
				if ((userClass == null || !ifc.isAssignableFrom(userClass)) && AnnotatedMethods.isCandidate(ifc)) {
					AnnotatedMethods methods = scan(new ScanKey(ifc, null), beanName);
					if (!methods.reachable().isEmpty()) {
						interceptedElsewhere = (interceptedElsewhere != null) ? interceptedElsewhere
								: interceptedElsewhere(beanName);
						methods = methods.without(interceptedElsewhere);
					}
					found.add(methods);
				}
			}
		}
		return found;
	}

	/**
	 * The methods of a JDK proxy bean whose calls it hands to another bean that our interceptors
	 * are in front of already: a Spring Data repository's custom fragment implementation.
	 */
	private Predicate<Method> interceptedElsewhere(String beanName) {
		ConfigurableListableBeanFactory beanFactory = this.beanFactory;
		if (!SPRING_DATA_PRESENT || beanFactory == null || !beanFactory.containsBeanDefinition(beanName)
				|| !beanFactory.isFactoryBean(beanName)) {
			return (method) -> false;
		}
		return RepositoryFragments.interceptedInFragments(beanFactory.getBean(BeanFactory.FACTORY_BEAN_PREFIX + beanName));
	}

	private AnnotatedMethods scan(ScanKey key, String beanName) {
		AnnotatedMethods methods = this.scanned.get(key);
		if (methods == null) {
			methods = key.type().isInterface() ? AnnotatedMethods.ofInterface(key.type())
					: AnnotatedMethods.ofClass(key.type(), key.interfaces());
			if (!methods.unreachable().isEmpty()) {
				report(beanName, methods, key.interfaces());
			}
			if (this.selfInvocation != SelfInvocation.IGNORE && !methods.reachable().isEmpty()
					&& !key.type().isInterface()) {
				// An interface proxy runs its default methods on itself: their calls pass the proxy.
				reportSelfInvocations(key.type(), methods);
			}
			this.scanned.put(key, methods);
		}
		return methods;
	}

	/**
	 * Whether the bean is reached only through its interfaces, its class being one no proxy can
	 * subclass and no annotation is written on: a JDK proxy, or a lambda ({@code @Bean Lookup
	 * lookup() { return (key) -> ...; }}).
	 */
	private static boolean isInterfaceOnly(Object bean) {
		Class<?> type = bean.getClass();
		return Proxy.isProxyClass(type) || ClassUtils.isLambdaClass(type);
	}

	/**
	 * The class of the application whose code the bean's calls reach, or {@code null} when there
	 * is none to read: an interface proxy without a target (an HTTP service client), or one whose
	 * handler is not a Spring proxy's (Feign). A generated class (a lambda's) is none either.
	 */
	private static @Nullable Class<?> userClass(Object bean) {
		Class<?> type = AopUtils.getTargetClass(bean);
		return (Proxy.isProxyClass(type) || type.isSynthetic() || ClassUtils.isLambdaClass(type)) ? null : type;
	}

	/**
	 * The interfaces a JDK proxy will call the bean through: those of the bean when it is a JDK
	 * proxy, or of the proxy made here when Spring is told to proxy interfaces
	 * ({@code spring.aop.proxy-target-class=false}) and the class has some; else {@code null}: the
	 * proxy subclasses the class.
	 */
	private @Nullable List<Class<?>> proxiedInterfaces(Object bean, @Nullable Class<?> userClass) {
		if (isInterfaceOnly(bean)) {
			return List.of(AopProxyUtils.proxiedUserInterfaces(bean));
		}
		if (AopUtils.isAopProxy(bean) || isProxyTargetClass() || userClass == null) {
			return null;
		}
		List<Class<?>> interfaces = Arrays.stream(ClassUtils.getAllInterfacesForClass(bean.getClass(), getProxyClassLoader()))
			.filter((ifc) -> !isConfigurationCallbackInterface(ifc) && !isInternalLanguageInterface(ifc)
					&& ifc.getMethods().length > 0)
			.toList();
		return interfaces.isEmpty() ? null : interfaces;
	}

	/**
	 * Puts the advisors in front of the bean's calls: first in its own Spring proxy when it has one
	 * that takes advisors, else in a new proxy around it (of its interfaces for a JDK proxy).
	 */
	private Object intercept(Object bean, List<Advisor> advisors) {
		if (bean instanceof Advised advised && AopUtils.isAopProxy(bean) && !advised.isFrozen()) {
			for (int i = 0; i < advisors.size(); i++) {
				advised.addAdvisor(i, advisors.get(i));
			}
			return bean;
		}
		ProxyFactory proxyFactory = new ProxyFactory();
		proxyFactory.copyFrom(this);
		proxyFactory.setTarget(bean);
		advisors.forEach(proxyFactory::addAdvisor);
		if (isInterfaceOnly(bean)) {
			// A JDK proxy's class is final (a lambda's too): proxied through its interfaces, with its own handler last.
			proxyFactory.setProxyTargetClass(false);
			proxyFactory.setInterfaces(AopProxyUtils.proxiedUserInterfaces(bean));
			proxyFactory.addAdvice(new InterfaceProxyTarget());
			return proxyFactory.getProxy(bean.getClass().getClassLoader());
		}
		if (!proxyFactory.isProxyTargetClass()) {
			evaluateProxyInterfaces(bean.getClass(), proxyFactory);
		}
		ClassLoader classLoader = getProxyClassLoader();
		if (classLoader instanceof SmartClassLoader smart && classLoader != bean.getClass().getClassLoader()) {
			classLoader = smart.getOriginalClassLoader();
		}
		return proxyFactory.getProxy(classLoader);
	}

	/** Calls on this to an annotated method bypass the proxy: each is logged, or start-up fails listing them. */
	private void reportSelfInvocations(Class<?> targetClass, AnnotatedMethods methods) {
		List<String> found = SelfInvocations.find(targetClass, methods.reachable())
			.stream()
			.map((call) -> describe(targetClass, call, methods.reachable().get(call.callee())))
			.toList();
		if (found.isEmpty()) {
			return;
		}
		if (this.selfInvocation == SelfInvocation.FAIL) {
			if (this.selfCallClass == null) {
				this.selfCallClass = targetClass.getSimpleName();
			}
			this.selfCalls.addAll(found);
			if (this.singletonsCreated) {
				// A bean created after start-up (lazy, prototype, scoped): its own calls stop its creation.
				failOnSelfCalls();
			}
			return;
		}
		String fix = selfCallFix(targetClass.getSimpleName());
		found.forEach((call) -> logger.warn(call + ". " + fix));
	}

	/** Start-up is over: with {@code self-invocation=fail}, every call on this found fails it now. */
	@Override
	public void afterSingletonsInstantiated() {
		this.singletonsCreated = true;
		failOnSelfCalls();
	}

	private void failOnSelfCalls() {
		if (this.selfCalls.isEmpty()) {
			return;
		}
		List<String> found = List.copyOf(this.selfCalls);
		this.selfCalls.clear();
		String example = this.selfCallClass;
		this.selfCallClass = null;
		throw new RetryConfigurationException(
				"Calls on this bypass the proxy, so the annotations do not apply to them:\n    "
						+ String.join("\n    ", found),
				selfCallFix(example) + " (retry.startup.self-invocation=fail stopped start-up.)");
	}

	private static String selfCallFix(@Nullable String beanClass) {
		return "Call it through the bean instead: inject the bean into itself lazily (@Autowired @Lazy "
				+ beanClass + " self; then self.method(...)), or move the annotated method to "
				+ "another bean. Set retry.startup.self-invocation=ignore to silence this.";
	}

	private static String describe(Class<?> targetClass, SelfInvocations.SelfCall call,
			AnnotatedMethods.Annotations annotations) {
		String which = (annotations.retryable() != null && annotations.breaker() != null) ? "@Retryable and @CircuitBreaker do"
				: (annotations.retryable() != null) ? "@Retryable does" : "@CircuitBreaker does";
		String parameters = Arrays.stream(call.callee().getParameterTypes())
			.map(Class::getSimpleName)
			.collect(Collectors.joining(", "));
		return targetClass.getSimpleName() + "." + call.caller() + " calls " + call.callee().getName() + "("
				+ parameters + ") on this: " + which + " not apply to that call";
	}

	/**
	 * One warning per bean type: every method no proxy reaches, with the reason, then why the proxy
	 * of this bean cannot reach it and the fix for each, as it applies to this bean.
	 */
	private static void report(String beanName, AnnotatedMethods methods, @Nullable List<Class<?>> interfaces) {
		List<Map.Entry<Method, Unreachable>> unreachable = methods.unreachableSorted();
		String list = unreachable.stream()
			.map((entry) -> MethodNames.describe(entry.getKey()) + " (" + entry.getValue().reason() + ")")
			.collect(Collectors.joining(", "));
		String annotations = String.join(" and ", methods.ignoredAnnotations());
		String verb = (methods.ignoredAnnotations().size() > 1) ? " have" : " has";
		Map<Unreachable, List<String>> subjects = new LinkedHashMap<>();
		for (Map.Entry<Method, Unreachable> entry : unreachable) {
			String subject = (entry.getValue() == Unreachable.FINAL_CLASS) ? methods.owner().getSimpleName()
					: entry.getKey().getName() + "()";
			List<String> names = subjects.computeIfAbsent(entry.getValue(), (reason) -> new ArrayList<>());
			if (!names.contains(subject)) {
				names.add(subject);
			}
		}
		String fixes = subjects.entrySet()
			.stream()
			.map((entry) -> entry.getKey().fix(String.join(", ", entry.getValue())))
			.collect(Collectors.joining("; "));
		logger.warn(annotations + verb + " no effect on " + list + " of bean '" + beanName + "': "
				+ why(methods, interfaces, subjects.keySet()) + " " + Character.toUpperCase(fixes.charAt(0))
				+ fixes.substring(1) + ".");
	}

	private static String why(AnnotatedMethods methods, @Nullable List<Class<?>> interfaces, Set<Unreachable> reasons) {
		String owner = methods.owner().getSimpleName();
		if (methods.owner().isInterface()) {
			return "a static or private interface method is never called through the bean's proxy.";
		}
		if (interfaces != null) {
			return "the bean is called through a JDK proxy of its interfaces ("
					+ interfaces.stream().map(Class::getSimpleName).collect(Collectors.joining(", "))
					+ "), which passes only their methods on.";
		}
		if (reasons.equals(Set.of(Unreachable.FINAL_CLASS))) {
			return "Spring proxies this bean by subclassing " + owner + ", which a final class forbids.";
		}
		return "Spring proxies this bean by subclassing " + owner
				+ ", which cannot intercept private, static or final methods, nor methods of a final class.";
	}

	/**
	 * A type scanned and how its methods are reached.
	 * @param interfaces for a class, the interfaces a JDK proxy calls it through, or {@code null}
	 * for a proxy that subclasses it; always {@code null} for an interface
	 */
	private record ScanKey(Class<?> type, @Nullable List<Class<?>> interfaces) {
	}

}
