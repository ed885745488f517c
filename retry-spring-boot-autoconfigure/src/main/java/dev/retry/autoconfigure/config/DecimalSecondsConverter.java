package dev.retry.autoconfigure.config;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.ConditionalGenericConverter;

/**
 * Converts text to a {@link Duration} for properties marked {@link DecimalSeconds}: bare numbers
 * are seconds ({@code 1.0}, {@code 0.5}, {@code 2}); everything else is read as Spring reads
 * durations. Other {@code Duration} properties of the application are left alone.
 */
public final class DecimalSecondsConverter implements ConditionalGenericConverter {

	private static final Pattern DECIMAL = Pattern.compile("^\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)\\s*$");

	@Override
	public Set<ConvertiblePair> getConvertibleTypes() {
		return Set.of(new ConvertiblePair(String.class, Duration.class));
	}

	@Override
	public boolean matches(TypeDescriptor sourceType, TypeDescriptor targetType) {
		return targetType.hasAnnotation(DecimalSeconds.class);
	}

	@Override
	public @Nullable Object convert(@Nullable Object source, TypeDescriptor sourceType, TypeDescriptor targetType) {
		if (source == null || source.toString().isBlank()) {
			return null;
		}
		return parse(source.toString());
	}

	/** Reads {@code 1.5}, {@code 2}, {@code 500ms}, {@code PT1S} and the like. */
	public static Duration parse(String value) {
		if (DECIMAL.matcher(value).matches()) {
			BigDecimal seconds = new BigDecimal(value.trim());
			try {
				long whole = seconds.setScale(0, RoundingMode.FLOOR).longValueExact();
				int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
				return Duration.ofSeconds(whole, nanos);
			}
			catch (ArithmeticException ex) {
				// Never wrap around: say so, and the binder names the property.
				throw new IllegalArgumentException("'" + value.trim() + "' seconds is out of range for a duration");
			}
		}
		return DurationStyle.detectAndParse(value.trim(), ChronoUnit.SECONDS);
	}

}
