package dev.retry.benchmarks;

import org.aopalliance.intercept.MethodInterceptor;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.resilience.annotation.EnableResilientMethods;
import org.springframework.retry.annotation.EnableRetry;

/** One Spring Boot context holding every contender, in one {@link Setup}; see application.yml for their settings. */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableRetry
@EnableResilientMethods
class BenchmarkApplication {

	/** The laboratory: no meter registry, no observation registry, no tracer. */
	static ConfigurableApplicationContext start() {
		return start(Setup.LAB);
	}

	static ConfigurableApplicationContext start(Setup setup) {
		ConfigurableApplicationContext context = new SpringApplicationBuilder(BenchmarkApplication.class)
			.web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties(setup.properties())
			.run();
		setup.check(context);
		Contenders.checkProxied(context, setup);
		return context;
	}

	/** The floor: a CGLIB proxy with a no-op interceptor, what any proxy-based library pays at least. */
	@Bean
	Targets.Plain floor() {
		ProxyFactory factory = new ProxyFactory(new Targets.Plain());
		factory.setProxyTargetClass(true);
		factory.addAdvice((MethodInterceptor) (invocation) -> invocation.proceed());
		return (Targets.Plain) factory.getProxy();
	}

	@Bean
	Targets.OursRetry oursRetry() {
		return new Targets.OursRetry();
	}

	@Bean
	Targets.OursTimed oursTimed() {
		return new Targets.OursTimed();
	}

	@Bean
	Targets.OursCheckedResult oursCheckedResult() {
		return new Targets.OursCheckedResult();
	}

	@Bean
	Targets.OursFuture oursFuture() {
		return new Targets.OursFuture();
	}

	@Bean
	Targets.OursBreaker oursBreaker() {
		return new Targets.OursBreaker();
	}

	@Bean
	Targets.OursFleetBreaker oursFleetBreaker() {
		return new Targets.OursFleetBreaker();
	}

	@Bean
	Targets.OursBoth oursBoth() {
		return new Targets.OursBoth();
	}

	@Bean
	Targets.R4jRetry r4jRetry() {
		return new Targets.R4jRetry();
	}

	@Bean
	Targets.R4jBreaker r4jBreaker() {
		return new Targets.R4jBreaker();
	}

	@Bean
	Targets.R4jBoth r4jBoth() {
		return new Targets.R4jBoth();
	}

	@Bean
	Targets.SpringRetry springRetry() {
		return new Targets.SpringRetry();
	}

	@Bean
	Targets.FrameworkRetry frameworkRetry() {
		return new Targets.FrameworkRetry();
	}

	@Bean
	Targets.SpringObserved springObserved() {
		return new Targets.SpringObserved();
	}

	@Bean
	Targets.OursFailing oursFailing() {
		return new Targets.OursFailing();
	}

	@Bean
	Targets.R4jFailing r4jFailing() {
		return new Targets.R4jFailing();
	}

	@Bean
	Targets.FrameworkFailing frameworkFailing() {
		return new Targets.FrameworkFailing();
	}

}
