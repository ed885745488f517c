package dev.retry.docs;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.retry.autoconfigure.config.RetryProperties;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanUtils;
import org.springframework.core.ResolvableType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration-reference.md is the configuration metadata, and has a row for every key that
 * binds under {@code retry.} and none for a key that does not. Run with {@code -Ddocs.update=true}
 * to regenerate the page after changing a property or its javadoc.
 */
class ConfigurationReferenceTests {

	private static final Path PAGE = SnippetDriftTests.ROOT.resolve("docs/configuration-reference.md");

	@Test
	void thePageIsGeneratedFromTheMetadata() throws IOException {
		String expected = ConfigurationReference.page(SnippetDriftTests.ROOT);
		if (Boolean.getBoolean("docs.update")) {
			Files.writeString(PAGE, expected);
		}
		assertThat(PAGE).as("docs/configuration-reference.md is generated: run the docs tests with -Ddocs.update=true")
			.hasContent(expected);
	}

	@Test
	void everyKeyThatBindsHasARowAndEveryRowNamesOne() {
		Set<String> binds = new TreeSet<>();
		keys("retry", ResolvableType.forClass(RetryProperties.class), binds);
		Set<String> rows = new TreeSet<>();
		for (ConfigurationReference.Row row : ConfigurationReference.rows(SnippetDriftTests.ROOT)) {
			rows.add(row.key());
		}
		assertThat(rows).containsExactlyInAnyOrderElementsOf(binds);
	}

	@Test
	void everyBreakerKeyHasItsJavadoc() {
		Set<String> fields = new TreeSet<>();
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(RetryProperties.Breaker.class)) {
			if (descriptor.getWriteMethod() != null) {
				fields.add(descriptor.getName());
			}
		}
		assertThat(ConfigurationReference.breakerJavadoc(SnippetDriftTests.ROOT)).containsOnlyKeys(fields)
			.allSatisfy((field, javadoc) -> assertThat(javadoc).isNotBlank());
	}

	/**
	 * The keys a class binds, read as the binder reads JavaBean properties: a nested class of ours is
	 * a group, a map of ours one entry per name, anything else a value. The entries of
	 * retry.policies have the keys of retry.defaults, which the page lists once.
	 */
	private static void keys(String prefix, ResolvableType type, Set<String> keys) {
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type.resolve())) {
			if (descriptor.getReadMethod() == null || descriptor.getName().equals("class")) {
				continue;
			}
			String key = prefix + "." + ConfigurationReference.dashed(descriptor.getName());
			ResolvableType property = ResolvableType.forMethodReturnType(descriptor.getReadMethod());
			Class<?> resolved = property.resolve(Object.class);
			if (Map.class.isAssignableFrom(resolved)) {
				if (key.equals(ConfigurationReference.POLICIES)) {
					keys.add(key + ".<name>.*");
				}
				else {
					keys.add(key + ".<name>");
					keys(key + ".<name>", property.asMap().getGeneric(1), keys);
				}
			}
			else if (isGroup(resolved)) {
				keys(key, property, keys);
			}
			else if (descriptor.getWriteMethod() != null) {
				keys.add(key);
			}
		}
	}

	private static boolean isGroup(Class<?> type) {
		return type.getName().startsWith(RetryProperties.class.getName() + "$") && !type.isEnum();
	}

}
