package dev.retry.autoconfigure.aop;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;


import dev.retry.annotation.CircuitBreaker;
import dev.retry.annotation.Retryable;
import dev.retry.autoconfigure.config.RetryProperties.SelfInvocation;
import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.framework.ProxyProcessorSupport;
import org.springframework.aop.support.AopUtils;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.SmartClassLoader;

/**
 * Finds {@link Retryable} and {@link CircuitBreaker} methods on each bean as it is created and puts one interceptor per
 * method in front of them: added first to an existing Spring proxy (so retries wrap transactions
 * and the like), or in a new proxy. Methods a proxy cannot reach are reported at start-up.
 */
public class RetryableBeanPostProcessor extends ProxyProcessorSupport
		implements BeanPostProcessor, SmartInitializingSingleton {

	private static final long serialVersionUID = 1L;


	private static final Log logger = LogFactory.getLog(RetryableBeanPostProcessor.class);

	private final transient ObjectProvider<RetryInterceptorFactory> factory;

	private final transient Map<Class<?>, AnnotatedMethods> scanned = new ConcurrentHashMap<>();

	private final SelfInvocation selfInvocation;

	/**
	 * With {@code self-invocation=fail}, the calls on this found while the singletons are created:
	 * start-up fails once they all are, listing every call in the application, not the first bean's.
	 */
	private final transient List<String> selfCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

	/** The example the fix names: the first class with a call on this. */
	private transient volatile @Nullable String selfCallClass;

	private volatile boolean singletonsCreated;

	public RetryableBeanPostProcessor(ObjectProvider<RetryInterceptorFactory> factory) {
		this(factory, SelfInvocation.WARN);
	}

	/** @param selfInvocation what start-up does about calls on {@code this} to an annotated method */
	public RetryableBeanPostProcessor(ObjectProvider<RetryInterceptorFactory> factory, SelfInvocation selfInvocation) {
		this.factory = factory;
		this.selfInvocation = selfInvocation;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof AopInfrastructureBean) {
			return bean;
		}
		Class<?> targetClass = AopUtils.getTargetClass(bean);
		if (!AnnotatedMethods.isCandidate(targetClass)) {
			return bean;
		}
		AnnotatedMethods methods = this.scanned.get(targetClass);
		if (methods == null) {
			// Once per class, however many instances a prototype or scoped bean has.
			methods = AnnotatedMethods.scan(targetClass);
			if (!methods.unreachable().isEmpty()) {
				report(beanName, methods);
			}
			if (this.selfInvocation != SelfInvocation.IGNORE && !methods.reachable().isEmpty()) {
				reportSelfInvocations(targetClass, methods);
			}
			this.scanned.put(targetClass, methods);
		}
		if (methods.reachable().isEmpty()) {
			return bean;
		}
		RetryInterceptorFactory interceptors = this.factory.getObject();
		List<Advisor> advisors = new ArrayList<>();
		methods.reachable().forEach((method, annotations) -> advisors.add(new DefaultPointcutAdvisor(
				new SingleMethodPointcut(method), interceptors.interceptor(targetClass, method, annotations))));
		if (bean instanceof Advised advised && AopUtils.isAopProxy(bean) && !advised.isFrozen()) {
			for (int i = 0; i < advisors.size(); i++) {
				advised.addAdvisor(i, advisors.get(i));
			}
			interceptors.proxied(targetClass, bean);
			return bean;
		}
		ProxyFactory proxyFactory = new ProxyFactory();
		proxyFactory.copyFrom(this);
		proxyFactory.setTarget(bean);
		if (!proxyFactory.isProxyTargetClass()) {
			evaluateProxyInterfaces(bean.getClass(), proxyFactory);
		}
		advisors.forEach(proxyFactory::addAdvisor);
		ClassLoader classLoader = getProxyClassLoader();
		if (classLoader instanceof SmartClassLoader smart && classLoader != bean.getClass().getClassLoader()) {
			classLoader = smart.getOriginalClassLoader();
		}
		Object proxy = proxyFactory.getProxy(classLoader);
		interceptors.proxied(targetClass, proxy);
		return proxy;
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
		String parameters = java.util.Arrays.stream(call.callee().getParameterTypes())
			.map(Class::getSimpleName)
			.collect(Collectors.joining(", "));
		return targetClass.getSimpleName() + "." + call.caller() + " calls " + call.callee().getName() + "("
				+ parameters + ") on this: " + which + " not apply to that call";
	}

	private static void report(String beanName, AnnotatedMethods methods) {
		String list = methods.unreachable()
			.entrySet()
			.stream()
			.map((entry) -> MethodNames.describe(entry.getKey()) + " (" + entry.getValue() + ")")
			.sorted()
			.collect(Collectors.joining(", "));
		String annotations = String.join(" and ", methods.ignoredAnnotations());
		String verb = (methods.ignoredAnnotations().size() > 1) ? " have" : " has";
		logger.warn(annotations + verb + " no effect on " + list + " of bean '" + beanName
				+ "': a Spring proxy cannot intercept private, static or final methods, nor methods of a final class."
				+ " Make them non-private, non-static and non-final (and call them through the bean).");
	}

}
