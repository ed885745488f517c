package dev.retry.policy;

import java.time.Duration;
import java.util.List;

import dev.retry.backoff.Jitter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RetryPolicyBuilderTest {

	@Test
	void defaultsAreTheLibraryDefaults() {
		RetryPolicy policy = RetryPolicy.builder("default").build();

		assertThat(policy.getMaxAttempts()).isEqualTo(3);
		assertThat(policy.getBaseDelay()).isEqualTo(Duration.ofSeconds(1));
		assertThat(policy.getMaxDelay()).isEqualTo(Duration.ofSeconds(60));
		assertThat(policy.isExponentialBackoff()).isTrue();
		assertThat(policy.getMultiplier()).isEqualTo(2.0);
		assertThat(policy.getJitter()).isEqualTo(Jitter.PROPORTIONAL);
		assertThat(policy.getJitterFactor()).isEqualTo(0.3);
		assertThat(policy.getMaxDuration()).isZero();
		assertThat(policy.getRetryOnStatus()).containsExactlyInAnyOrder(408, 429, 500, 502, 503, 504);
		assertThat(policy.isRespectRetryAfter()).isTrue();
		assertThat(policy.getOnExhausted()).isEqualTo(OnExhausted.RETHROW);
		assertThat(policy.getBudget().isEnabled()).isFalse();
	}

	@Test
	void builtPolicyDoesNotChangeWhenTheBuilderDoes() {
		RetryPolicyBuilder builder = RetryPolicy.builder("p").maxAttempts(4).retryOn(List.of(IllegalStateException.class));
		RetryPolicy policy = builder.build();

		builder.maxAttempts(9).retryOn(List.of());

		assertThat(policy.getMaxAttempts()).isEqualTo(4);
		assertThat(policy.getRetryOn()).containsExactly(IllegalStateException.class);
		assertThat(policy.toBuilder().build().getRetryOn()).containsExactly(IllegalStateException.class);
	}

	@Test
	void rejectsZeroAttempts() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetryPolicy.builder("p").maxAttempts(0).build())
			.withMessage("maxAttempts must be >= 1, was 0");
	}

	@Test
	void rejectsMaxDelayBelowBaseDelay() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetryPolicy.builder("p").baseDelay(Duration.ofSeconds(2)).maxDelay(Duration.ofSeconds(1)).build())
			.withMessage("maxDelay must be >= baseDelay (PT2S), was PT1S");
	}

	@Test
	void rejectsJitterFactorOutsideZeroToOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetryPolicy.builder("p").jitterFactor(1.5).build())
			.withMessage("jitterFactor must be within 0..1, was 1.5");
	}

	@Test
	void rejectsStatusesThatAreNotHttpStatuses() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetryPolicy.builder("p").retryOnStatus(List.of(503, 42)).build())
			.withMessage("retryOnStatus must hold HTTP statuses within 100..599, was 42");
	}

	@Test
	void rejectsMultiplierBelowOne() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetryPolicy.builder("p").multiplier(0.5).build())
			.withMessage("multiplier must be >= 1.0, was 0.5");
	}

}
