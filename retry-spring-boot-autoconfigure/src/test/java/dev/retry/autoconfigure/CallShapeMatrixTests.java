package dev.retry.autoconfigure;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.retry.annotation.Retryable;
import dev.retry.classify.Retryability;
import dev.retry.time.ManualClock;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.constraintvalidation.SupportedValidationTarget;
import jakarta.validation.constraintvalidation.ValidationTarget;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.NoTransactionException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.SimpleTransactionStatus;
import org.springframework.transaction.interceptor.TransactionAspectSupport;
import org.springframework.validation.annotation.Validated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every shape of call (varargs, primitives, generics, interface default methods, bridge methods)
 * through every position of our interceptor in a proxy's chain (alone; before
 * {@code @Transactional}; before method validation), for every run of an attempt (the first, a
 * retry, a hedge, a hedge of a retry): the method gets its arguments exactly as the caller passed them (as a direct
 * call on an unproxied instance gets them), answers the same, and every run passes through the
 * interceptors after ours. The success path calls the target through a method handle when ours is
 * last, and every other run replays the rest of the chain: both are covered here.
 */
class CallShapeMatrixTests {

	private static final Map<Position, AnnotationConfigApplicationContext> contexts = new EnumMap<>(Position.class);

	@AfterAll
	static void closeContexts() {
		contexts.values().forEach(AnnotationConfigApplicationContext::close);
		contexts.clear();
	}

	static Stream<Arguments> everyShapeInEveryPositionForEveryRun() {
		List<Arguments> cases = new ArrayList<>();
		for (Position position : Position.values()) {
			for (Shape shape : Shape.values()) {
				for (Run run : Run.values()) {
					cases.add(Arguments.of(position, shape, run));
				}
			}
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0}: {1}, {2}")
	@MethodSource("everyShapeInEveryPositionForEveryRun")
	void eachRunGetsTheArgumentsAsPassedAndPassesThroughTheInterceptorsAfterOurs(Position position, Shape shape,
			Run run) throws Exception {
		Expected expected = Expected.of(shape, run);
		Shapes shapes = contexts.computeIfAbsent(position, Position::start).getBean(Shapes.class);

		Script.start(run);
		Object answer;
		try {
			answer = run.call(shape, shapes);
		}
		finally {
			Script.stop();
		}

		assertThat(answer).as("the answer, as a direct call gives it").isEqualTo(expected.answer());
		assertThat(Script.arguments).as("the arguments each run got").hasSize(run.runs)
			.containsOnly(expected.arguments());
		position.check(run);
	}

	@Test
	void aVarargsMethodGetsItsArguments() {
		runner().run((context) -> {
			assertThat(context).hasNotFailed();
			Shapes formatter = context.getBean(Shapes.class);
			Throwable thrown = catchThrowable(() -> assertThat(formatter.join("a", "b")).isEqualTo("a,b"));
			assertThat(thrown).as("join(String...) through the proxy").isNull();
		});
	}

	@Test
	void anObjectVarargsMethodGetsItsArgumentsAsPassed() {
		runner().run((context) -> {
			Shapes formatter = context.getBean(Shapes.class);
			// Called directly: 3 values. Through the proxy the array arrived wrapped in another array.
			assertThat(new Shapes().count("x", 1, 2, 3)).isEqualTo("x: 3 [1, 2, 3]");
			assertThat(formatter.count("x", 1, 2, 3)).isEqualTo("x: 3 [1, 2, 3]");
		});
	}

	private static ApplicationContextRunner runner() {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RetryAutoConfiguration.class))
			.withBean(ManualClock.class)
			.withBean(Shapes.class)
			.withPropertyValues(Position.PROPERTIES);
	}

	/** Where our interceptor stands in the proxy's chain, and what the runs must have passed through. */
	enum Position {

		/** Ours alone: the target is called through the method handle on the first run. */
		ALONE(Alone.class) {
			@Override
			void check(Run run) {
				assertThat(Script.inTransaction).containsOnly(false);
			}
		},

		/** Before {@code @Transactional}: every run in a transaction of its own. */
		BEFORE_TRANSACTION(BeforeTransaction.class) {
			@Override
			void check(Run run) {
				assertThat(Script.inTransaction).as("each run in a transaction").hasSize(run.runs).containsOnly(true);
				assertThat(Script.begun).as("transactions begun").hasValue(run.runs);
			}
		},

		/** Before method validation: the arguments of every run validated. */
		BEFORE_VALIDATION(BeforeValidation.class) {
			@Override
			void check(Run run) {
				assertThat(Script.validated).as("the arguments validated for each run")
					.isEqualTo(Script.arguments);
			}
		};

		static final String[] PROPERTIES = { "retry.policies.network.base-delay=0",
				"retry.policies.network.max-delay=0", "retry.policies.hedged.base-delay=0",
				"retry.policies.hedged.max-delay=0", "retry.policies.hedged.hedge-delay=20ms",
				"retry.policies.hedged.max-hedges=1" };

		private final Class<?> configuration;

		Position(Class<?> configuration) {
			this.configuration = configuration;
		}

		abstract void check(Run run);

		AnnotationConfigApplicationContext start() {
			AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
			TestPropertyValues.of(PROPERTIES).applyTo(context);
			context.register(this.configuration);
			context.registerBean(ManualClock.class);
			context.registerBean(Shapes.class);
			context.refresh();
			return context;
		}

	}

	/** Which run of an attempt answers, and how many runs it takes. */
	enum Run {

		/** The first attempt answers. */
		FIRST(1, false),

		/** The first attempt fails; the retry answers. */
		RETRY(2, false),

		/** A future method's first attempt answers. */
		FIRST_FUTURE(1, true),

		/** A future method's first attempt fails; the retry answers. */
		RETRY_FUTURE(2, true),

		/** A future method's first attempt never answers; its hedge does. */
		HEDGE(2, true),

		/** A future method's first attempt fails, the retry never answers; the retry's hedge does. */
		HEDGE_OF_RETRY(3, true);

		final int runs;

		private final boolean future;

		Run(int runs, boolean future) {
			this.runs = runs;
			this.future = future;
		}

		@Nullable Object call(Shape shape, Shapes shapes) throws Exception {
			return this.future ? shape.later.apply(shapes).get(3, TimeUnit.SECONDS) : shape.now.apply(shapes);
		}

	}

	/** What a direct call on an instance without a proxy answers and gets. */
	record Expected(@Nullable Object answer, String arguments) {

		static Expected of(Shape shape, Run run) throws Exception {
			Script.start(null);
			try {
				Object answer = run.call(shape, new Shapes());
				return new Expected(answer, Script.arguments.get(0));
			}
			finally {
				Script.stop();
			}
		}

	}

	/** One shape of call, synchronous and returning a future. */
	enum Shape {

		STRING_VARARGS((shapes) -> shapes.join("a", "b"), (shapes) -> shapes.joinLater("a", "b")),

		STRING_VARARGS_NONE(Shapes::join, Shapes::joinLater),

		OBJECT_VARARGS_SEVERAL((shapes) -> shapes.count("x", 1, 2, 3), (shapes) -> shapes.countLater("x", 1, 2, 3)),

		OBJECT_VARARGS_NULL_ARRAY((shapes) -> shapes.count("x", (Object[]) null),
				(shapes) -> shapes.countLater("x", (Object[]) null)),

		OBJECT_VARARGS_ONE_NULL((shapes) -> shapes.count("x", (Object) null),
				(shapes) -> shapes.countLater("x", (Object) null)),

		OBJECT_VARARGS_ARRAY_AS_IS((shapes) -> shapes.count("x", new Object[] { 1, 2 }),
				(shapes) -> shapes.countLater("x", new Object[] { 1, 2 })),

		OBJECT_VARARGS_ARRAY_AS_ONE_VALUE((shapes) -> shapes.count("x", (Object) new String[] { "a", "b" }),
				(shapes) -> shapes.countLater("x", (Object) new String[] { "a", "b" })),

		INT_VARARGS((shapes) -> shapes.total(1, 2, 3), (shapes) -> shapes.totalLater(1, 2, 3)),

		PRIMITIVES((shapes) -> shapes.mix((byte) 1, (short) 2, 'c', 4, 5L, 6.5f, 7.25d, true),
				(shapes) -> shapes.mixLater((byte) 1, (short) 2, 'c', 4, 5L, 6.5f, 7.25d, true)),

		GENERIC_BASE_CLASS((shapes) -> shapes.firstOf(List.of("a", "b")),
				(shapes) -> shapes.firstOfLater(List.of("a", "b"))),

		GENERIC_METHOD((shapes) -> shapes.max("a", "b"), (shapes) -> shapes.maxLater("a", "b")),

		INTERFACE_DEFAULT_METHOD((shapes) -> shapes.greet("you"), (shapes) -> shapes.greetLater("you")),

		BRIDGE_METHOD((shapes) -> ((Lookup<String>) shapes).find("key"),
				(shapes) -> ((Lookup<String>) shapes).findLater("key"));

		final Function<Shapes, @Nullable Object> now;

		final Function<Shapes, CompletableFuture<?>> later;

		Shape(Function<Shapes, @Nullable Object> now, Function<Shapes, CompletableFuture<?>> later) {
			this.now = now;
			this.later = later;
		}

	}

	/**
	 * What the runs of one call saw: the arguments each got, whether each ran in a transaction, the
	 * arguments method validation saw; and how each run behaves, as the case's {@link Run} says.
	 */
	static final class Script {

		static volatile @Nullable Run run;

		static final List<String> arguments = new CopyOnWriteArrayList<>();

		static final List<Boolean> inTransaction = new CopyOnWriteArrayList<>();

		static final List<String> validated = new CopyOnWriteArrayList<>();

		static final AtomicInteger begun = new AtomicInteger();

		static void start(@Nullable Run run) {
			arguments.clear();
			inTransaction.clear();
			validated.clear();
			begun.set(0);
			Script.run = run;
		}

		static void stop() {
			run = null;
		}

		/** One run of a synchronous method: fails the first time when the case retries. */
		static <T> T answer(T value, @Nullable Object[] received) {
			int runner = enter(received);
			if (run == Run.RETRY && runner == 1) {
				throw new Refused();
			}
			return value;
		}

		/** One run of a future method: fails, or never answers, the first time when the case says so. */
		static <T> CompletableFuture<T> answerLater(T value, @Nullable Object[] received) {
			int runner = enter(received);
			if (run == Run.RETRY_FUTURE && runner == 1) {
				return CompletableFuture.failedFuture(new Refused());
			}
			if (run == Run.HEDGE && runner == 1) {
				return new CompletableFuture<>();
			}
			if (run == Run.HEDGE_OF_RETRY && runner < 3) {
				return (runner == 1) ? CompletableFuture.failedFuture(new Refused()) : new CompletableFuture<>();
			}
			return CompletableFuture.completedFuture(value);
		}

		private static int enter(@Nullable Object[] received) {
			inTransaction.add(isInsideTransaction());
			arguments.add(Arrays.deepToString(received));
			return arguments.size();
		}

		private static boolean isInsideTransaction() {
			try {
				TransactionAspectSupport.currentTransactionStatus();
				return true;
			}
			catch (NoTransactionException ex) {
				return false;
			}
		}

	}

	/** A transient failure of a run. */
	static final class Refused extends RuntimeException implements Retryability {

		Refused() {
			super("refused", null, false, false);
		}

		@Override
		public boolean isTransient() {
			return true;
		}

	}

	/** A cross-parameter constraint that accepts everything and writes down the arguments it saw. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Constraint(validatedBy = Counting.class)
	public @interface Counted {

		String message() default "never invalid";

		Class<?>[] groups() default {};

		Class<? extends Payload>[] payload() default {};

	}

	@SupportedValidationTarget(ValidationTarget.PARAMETERS)
	public static class Counting implements ConstraintValidator<Counted, Object[]> {

		@Override
		public boolean isValid(Object[] parameters, ConstraintValidatorContext context) {
			Script.validated.add(Arrays.deepToString(parameters));
			return true;
		}

	}

	@Transactional
	public interface Greeter {

		@Retryable(policy = "network")
		@Counted
		default String greet(String name) {
			return Script.answer("hello " + name, new Object[] { name });
		}

		@Retryable(policy = "hedged")
		@Counted
		default CompletableFuture<String> greetLater(String name) {
			return Script.answerLater("hello " + name, new Object[] { name });
		}

	}

	/** Its implementation in {@link Shapes} has a bridge method {@code find(Object)}, which callers of this type call. */
	public interface Lookup<K> {

		@Counted
		K find(K key);

		@Counted
		CompletableFuture<K> findLater(K key);

	}

	@Transactional
	public abstract static class GenericShapes<T> {

		@Retryable(policy = "network")
		@Counted
		public T firstOf(List<T> values) {
			return Script.answer(values.get(0), new Object[] { values });
		}

		@Retryable(policy = "hedged")
		@Counted
		public CompletableFuture<T> firstOfLater(List<T> values) {
			return Script.answerLater(values.get(0), new Object[] { values });
		}

	}

	@Transactional
	@Validated
	public static class Shapes extends GenericShapes<String> implements Greeter, Lookup<String> {

		@Retryable(policy = "network")
		@Counted
		public String join(String... parts) {
			return Script.answer(String.join(",", parts), new Object[] { parts });
		}

		@Retryable(policy = "hedged")
		@Counted
		public CompletableFuture<String> joinLater(String... parts) {
			return Script.answerLater(String.join(",", parts), new Object[] { parts });
		}

		@Retryable(policy = "network")
		@Counted
		public String count(String label, @Nullable Object... values) {
			return Script.answer(describe(label, values), new Object[] { label, values });
		}

		@Retryable(policy = "hedged")
		@Counted
		public CompletableFuture<String> countLater(String label, @Nullable Object... values) {
			return Script.answerLater(describe(label, values), new Object[] { label, values });
		}

		private static String describe(String label, @Nullable Object[] values) {
			return label + ": " + ((values != null) ? values.length + " " + Arrays.deepToString(values) : "no array");
		}

		@Retryable(policy = "network")
		@Counted
		public int total(int... values) {
			return Script.answer(IntStream.of(values).sum(), new Object[] { values });
		}

		@Retryable(policy = "hedged")
		@Counted
		public CompletableFuture<Integer> totalLater(int... values) {
			return Script.answerLater(IntStream.of(values).sum(), new Object[] { values });
		}

		@Retryable(policy = "network")
		@Counted
		public double mix(byte b, short s, char c, int i, long l, float f, double d, boolean negate) {
			double sum = b + s + c + i + l + f + d;
			return Script.answer(negate ? -sum : sum, new Object[] { b, s, c, i, l, f, d, negate });
		}

		@Retryable(policy = "hedged")
		@Counted
		public CompletableFuture<Double> mixLater(byte b, short s, char c, int i, long l, float f, double d,
				boolean negate) {
			double sum = b + s + c + i + l + f + d;
			return Script.answerLater(negate ? -sum : sum, new Object[] { b, s, c, i, l, f, d, negate });
		}

		@Retryable(policy = "network")
		@Counted
		public <E extends Comparable<E>> E max(E a, E b) {
			return Script.answer((a.compareTo(b) >= 0) ? a : b, new Object[] { a, b });
		}

		@Retryable(policy = "hedged")
		@Counted
		public <E extends Comparable<E>> CompletableFuture<E> maxLater(E a, E b) {
			return Script.answerLater((a.compareTo(b) >= 0) ? a : b, new Object[] { a, b });
		}

		@Override
		@Retryable(policy = "network")
		public String find(String key) {
			return Script.answer("found " + key, new Object[] { key });
		}

		@Override
		@Retryable(policy = "hedged")
		public CompletableFuture<String> findLater(String key) {
			return Script.answerLater("found " + key, new Object[] { key });
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(RetryAutoConfiguration.class)
	static class Alone {

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration(RetryAutoConfiguration.class)
	@EnableTransactionManagement(proxyTargetClass = true)
	static class BeforeTransaction {

		@Bean
		PlatformTransactionManager transactionManager() {
			return new PlatformTransactionManager() {
				@Override
				public TransactionStatus getTransaction(@Nullable TransactionDefinition definition) {
					Script.begun.incrementAndGet();
					return new SimpleTransactionStatus();
				}

				@Override
				public void commit(TransactionStatus status) {
				}

				@Override
				public void rollback(TransactionStatus status) {
				}
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ RetryAutoConfiguration.class, ValidationAutoConfiguration.class })
	static class BeforeValidation {

	}

}
