package dev.retry.autoconfigure.config;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import dev.retry.autoconfigure.diagnostics.RetryConfigurationException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanUtils;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.core.env.MapPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The keys the check knows are the keys the properties classes bind: compared here with the
 * configuration metadata the annotation processor generated from the same classes, an independent
 * reading of them, and with the keys the assemblers read.
 */
class KnownKeysTests {

	@Test
	void everyPropertyOfTheGeneratedMetadataIsKnownAndEachWithALetterMissingIsNot() throws IOException {
		List<String> properties = new ArrayList<>(metadataProperties());
		metadataProperties().stream()
			.filter((name) -> name.startsWith("retry.defaults."))
			.map((name) -> name.replace("retry.defaults.", "retry.policies.payments."))
			.forEach(properties::add);
		RetryTuning.breakerKeys().forEach((key) -> properties.add("retry.circuit-breakers.inventory." + key));
		properties.add("retry.circuit-breakers.inventory.scope");

		assertThatNoException().isThrownBy(() -> check(properties));
		for (String property : properties) {
			if (property.equals("retry.policies") || property.equals("retry.circuit-breakers")) {
				continue;
			}
			String typo = property.substring(0, property.length() - 2) + property.charAt(property.length() - 1);
			assertThatExceptionOfType(RetryConfigurationException.class).as(typo)
				.isThrownBy(() -> check(List.of(typo)))
				.withMessageContaining("Property: " + typo)
				.withMessageContaining("did you mean " + property + "?");
		}
	}

	@Test
	void everyKeyOfAPolicyIsAssembledAndEveryKeyOfABreakerButItsScopeCanBeTuned() throws IOException {
		Set<String> policyKeys = metadataProperties().stream()
			.filter((name) -> name.startsWith("retry.defaults."))
			.map((name) -> name.substring("retry.defaults.".length()))
			.collect(Collectors.toCollection(TreeSet::new));
		Set<String> breakerKeys = Arrays.stream(BeanUtils.getPropertyDescriptors(RetryProperties.Breaker.class))
			.filter((property) -> property.getWriteMethod() != null)
			.map(PropertyDescriptor::getName)
			.map(DataObjectPropertyName::toDashedForm)
			.collect(Collectors.toCollection(TreeSet::new));

		assertThat(new TreeSet<>(RetryTuning.policyKeys())).isEqualTo(policyKeys);
		breakerKeys.remove("scope");
		assertThat(new TreeSet<>(RetryTuning.breakerKeys())).isEqualTo(breakerKeys);
	}

	@Test
	void anEntryKeyInAnyRelaxedFormIsTheKeyAsYamlWritesIt() {
		assertThat(KnownKeys.RETRY.entryKey("retry.policies", "maxAttempts")).isEqualTo("max-attempts");
		assertThat(KnownKeys.RETRY.entryKey("retry.policies", "max_attempts")).isEqualTo("max-attempts");
		assertThat(KnownKeys.RETRY.entryKey("retry.policies", "MAXATTEMPTS")).isEqualTo("max-attempts");
		assertThat(KnownKeys.RETRY.entryKey("retry.policies", "budget.minRetriesPerSecond"))
			.isEqualTo("budget.min-retries-per-second");
		assertThat(KnownKeys.RETRY.entryKey("retry.circuit-breakers", "half-open-max-wait"))
			.isEqualTo("half-open-max-wait");
		assertThat(KnownKeys.RETRY.entryKey("retry.policies", "budget")).as("holds keys").isNull();
		assertThat(KnownKeys.RETRY.entryKey("retry.policies", "max-attemps")).isNull();
		assertThat(KnownKeys.RETRY.entryKey("retry.policies", "")).isNull();
		assertThat(KnownKeys.RETRY.entryKey("retry.policies", "%%%")).isNull();
		assertThat(KnownKeys.RETRY.entryKey("retry.policies", "retry-on[0]")).as("one element of a list").isNull();
		assertThat(KnownKeys.RETRY.entryKey("retry.fleet", "enabled")).as("not a map").isNull();
	}

	private static void check(List<String> properties) {
		Map<String, Object> values = new LinkedHashMap<>();
		properties.forEach((property) -> values.put(property, "1"));
		KnownKeys.RETRY.check(ConfigurationPropertySources.from(new MapPropertySource("test", values)));
	}

	/** The {@code retry.*} properties of the metadata the configuration processor wrote at build time. */
	private static List<String> metadataProperties() throws IOException {
		try (InputStream metadata = KnownKeysTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).as("the generated configuration metadata").isNotNull();
			Map<String, Object> json = JsonParserFactory.getJsonParser()
				.parseMap(new String(metadata.readAllBytes(), StandardCharsets.UTF_8));
			List<String> names = new ArrayList<>();
			for (Object property : (List<?>) json.get("properties")) {
				String name = (String) ((Map<?, ?>) property).get("name");
				if (name.startsWith("retry.")) {
					names.add(name);
				}
			}
			assertThat(names).hasSizeGreaterThan(30);
			return names;
		}
	}

}
