package dev.retry.benchmarks;

import org.springframework.aop.support.AopUtils;
import org.springframework.context.ApplicationContext;

/** Guards the comparison: every contender must really be behind its library's proxy. */
final class Contenders {

	private Contenders() {
	}

	static void checkProxied(ApplicationContext context, Setup setup) {
		if (setup.observes() && !AopUtils.isAopProxy(context.getBean(Targets.SpringObserved.class))) {
			throw new IllegalStateException("@Observed is not proxied: the benchmark would be void");
		}
		for (Class<?> type : new Class<?>[] { Targets.OursRetry.class, Targets.OursBreaker.class, Targets.OursTimed.class, Targets.OursFuture.class, Targets.OursCheckedResult.class,
				Targets.OursBoth.class, Targets.R4jRetry.class, Targets.R4jBreaker.class, Targets.R4jBoth.class,
				Targets.SpringRetry.class, Targets.FrameworkRetry.class, Targets.OursFailing.class,
				Targets.R4jFailing.class, Targets.FrameworkFailing.class }) {
			if (!AopUtils.isAopProxy(context.getBean(type))) {
				throw new IllegalStateException(type.getSimpleName() + " is not proxied: the benchmark would be void");
			}
		}
	}

}
