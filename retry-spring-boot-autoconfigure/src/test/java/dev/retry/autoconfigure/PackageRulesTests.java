package dev.retry.autoconfigure;

import java.net.URISyntaxException;
import java.nio.file.Path;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rules the package documentation of this module states: packages that depend on each other
 * one way only, and each optional library (Redis, Spring Cloud, Micrometer, Actuator, Kotlin,
 * Feign, the Servlet API, SLF4J) used only in the package whose auto-configuration is conditional
 * on it, so that an application without it never loads a class that needs it.
 */
class PackageRulesTests {

	/** This module's classes (not the engine's, not the tests'). */
	static final JavaClasses MODULE = new ClassFileImporter().importPath(locationOf(RetryAutoConfiguration.class));

	static final SliceAssignment EACH_PACKAGE = new SliceAssignment() {

		@Override
		public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
			String name = javaClass.getPackageName();
			return (name.equals("dev.retry") || name.startsWith("dev.retry.")) ? SliceIdentifier.of(name)
					: SliceIdentifier.ignore();
		}

		@Override
		public String getDescription() {
			return "each package of dev.retry";
		}

	};

	static final String AC = "dev.retry.autoconfigure";

	@Test
	void thePackagesDependOnEachOtherOneWayOnly() {
		slices().assignedFrom(EACH_PACKAGE)
			.should()
			.beFreeOfCycles()
			.because("a package that needs another is built on it, never the other way round")
			.check(MODULE);
	}

	@Test
	void theAnnotationsStandAlone() {
		noClasses().that()
			.resideInAPackage("dev.retry.annotation")
			.should()
			.dependOnClassesThat()
			.resideOutsideOfPackages("dev.retry.annotation", "java..", "org.springframework.core.annotation..",
					"org.jspecify..")
			.because("users' code compiles against them alone")
			.check(MODULE);
	}

	@Test
	void theStartUpDiagnosticsNeedNothingElseOfTheModule() {
		dependsOnNothingElseOfTheModule(AC + ".diagnostics").check(MODULE);
	}

	@Test
	void theConfigurationIsBuiltOnTheEngineAloneAndKnowsNoIntegration() {
		noClasses().that()
			.resideInAPackage(AC + ".config")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(AC, AC + ".aop", AC + ".actuate", AC + ".aot", AC + ".cloud", AC + ".fleet",
					AC + ".metrics", AC + ".observation", AC + ".web", "dev.retry.operations", "dev.retry.http")
			.because("properties become policies and breakers here; what uses them (interception, endpoints, "
					+ "meters, the fleet) is built on it")
			.check(MODULE);
	}

	@Test
	void theProgrammaticApiAndTheHttpAnswersKnowNoIntegration() {
		noClasses().that()
			.resideInAnyPackage("dev.retry.operations", "dev.retry.http")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(AC, AC + ".actuate", AC + ".cloud", AC + ".fleet", AC + ".metrics",
					AC + ".observation")
			.check(MODULE);
	}

	@ParameterizedTest(name = "{0} only in {1}")
	@CsvSource(delimiter = ';', value = {
			"org.springframework.data.redis.., io.lettuce..; " + AC + ".fleet",
			"org.springframework.cloud..; " + AC + ".cloud, " + AC,
			"io.micrometer..; " + AC + ".metrics, " + AC + ".observation",
			"org.springframework.boot.actuate.., org.springframework.boot.health..; " + AC + ".actuate, " + AC + ".fleet",
			"kotlin.., kotlinx..; " + AC + ".aop",
			"feign..; " + AC + ".web",
			"jakarta.servlet..; " + AC + ".actuate",
			"org.slf4j..; " + AC + ".logging, " + AC + ".observation" })
	void eachOptionalLibraryIsUsedOnlyWhereItsConditionsAre(String library, String packages) {
		noClasses().that()
			.resideOutsideOfPackages(split(packages))
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(split(library))
			.because("it is an optional dependency: only the auto-configuration conditional on it may load it")
			.check(MODULE);
	}

	private static ArchRule dependsOnNothingElseOfTheModule(String pkg) {
		return noClasses().that()
			.resideInAPackage(pkg)
			.should()
			.dependOnClassesThat(resideInAnyPackage(AC + "..", "dev.retry.annotation", "dev.retry.http",
					"dev.retry.operations")
				.and(not(resideInAPackage(pkg))));
	}

	private static String[] split(String packages) {
		return packages.trim().split("\\s*,\\s*");
	}

	private static Path locationOf(Class<?> type) {
		try {
			return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
